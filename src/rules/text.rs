//! Users' text in messages: quoted and shortened ([`quoted`]), characters shown readably, the
//! invisible ones by code point ([`describe_char`], [`describe_chars`]).

/// A user's text in quotes for a message: at most 60 characters, invisible ones escaped.
pub(crate) fn quoted(s: &str) -> String {
    const SHOWN: usize = 60;
    let mut out = String::from("\"");
    for c in s.chars().take(SHOWN) {
        if c == '"' || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if is_invisible(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    if s.chars().count() > SHOWN {
        out.push('…');
    }
    out.push('"');
    out
}

/// Control, format (zero-width, direction marks, BOM), combining and line-breaking characters:
/// shown by code point only.
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
            | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF
            | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
        || (0xE000..=0xF8FF).contains(&(c as u32))
        || (0xF0000..=0x10FFFF).contains(&(c as u32))
}

/// Names of the characters people paste by accident.
fn char_name(c: char) -> Option<&'static str> {
    Some(match c as u32 {
        0x00 => "NULL",
        0x09 => "CHARACTER TABULATION",
        0x0A => "LINE FEED",
        0x0D => "CARRIAGE RETURN",
        0x1B => "ESCAPE",
        0x20 => "SPACE",
        0x7F => "DELETE",
        0xA0 => "NO-BREAK SPACE",
        0xAD => "SOFT HYPHEN",
        0x2002 => "EN SPACE",
        0x2003 => "EM SPACE",
        0x2009 => "THIN SPACE",
        0x200A => "HAIR SPACE",
        0x200B => "ZERO WIDTH SPACE",
        0x200C => "ZERO WIDTH NON-JOINER",
        0x200D => "ZERO WIDTH JOINER",
        0x200E => "LEFT-TO-RIGHT MARK",
        0x200F => "RIGHT-TO-LEFT MARK",
        0x2010 => "HYPHEN",
        0x2011 => "NON-BREAKING HYPHEN",
        0x2013 => "EN DASH",
        0x2014 => "EM DASH",
        0x2018 => "LEFT SINGLE QUOTATION MARK",
        0x2019 => "RIGHT SINGLE QUOTATION MARK",
        0x201C => "LEFT DOUBLE QUOTATION MARK",
        0x201D => "RIGHT DOUBLE QUOTATION MARK",
        0x2026 => "HORIZONTAL ELLIPSIS",
        0x2028 => "LINE SEPARATOR",
        0x2029 => "PARAGRAPH SEPARATOR",
        0x202A => "LEFT-TO-RIGHT EMBEDDING",
        0x202B => "RIGHT-TO-LEFT EMBEDDING",
        0x202C => "POP DIRECTIONAL FORMATTING",
        0x202D => "LEFT-TO-RIGHT OVERRIDE",
        0x202E => "RIGHT-TO-LEFT OVERRIDE",
        0x202F => "NARROW NO-BREAK SPACE",
        0x205F => "MEDIUM MATHEMATICAL SPACE",
        0x2060 => "WORD JOINER",
        0x2212 => "MINUS SIGN",
        0x3000 => "IDEOGRAPHIC SPACE",
        0xFEFF => "ZERO WIDTH NO-BREAK SPACE",
        0xFFFD => "REPLACEMENT CHARACTER",
        _ => return None,
    })
}

/// One character for a message: `"/"`; `" " (U+0020 SPACE)` for spaces and other non-ASCII
/// characters one can see; `U+200B ZERO WIDTH SPACE` for invisible ones.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_ascii_graphic() {
        return if c == '"' { "'\"'".to_string() } else { format!("\"{c}\"") };
    }
    let code = match char_name(c) {
        Some(name) => format!("U+{:04X} {name}", c as u32),
        None => format!("U+{:04X}", c as u32),
    };
    if is_invisible(c) {
        code
    } else {
        format!("\"{c}\" ({code})")
    }
}

/// The distinct characters of `chars`, the first three described: `"!", "@", "#" and 2 more`.
pub(crate) fn describe_chars(chars: impl IntoIterator<Item = char>) -> String {
    const SHOWN: usize = 3;
    let mut distinct: Vec<char> = Vec::new();
    for c in chars {
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    let shown: Vec<String> = distinct.iter().take(SHOWN).map(|c| describe_char(*c)).collect();
    match (shown.len(), distinct.len()) {
        (0, _) => String::new(),
        (1, _) => shown[0].clone(),
        (n, total) if total <= SHOWN => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
        (_, total) => format!("{} and {} more", shown.join(", "), total - SHOWN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_shown_readably() {
        assert_eq!(describe_char('/'), "\"/\"");
        assert_eq!(describe_char(' '), "\" \" (U+0020 SPACE)");
        assert_eq!(describe_char('\u{200b}'), "U+200B ZERO WIDTH SPACE");
        assert_eq!(describe_char('\u{1}'), "U+0001");
        assert_eq!(describe_char('é'), "\"é\" (U+00E9)");
        assert_eq!(describe_chars("ab".chars()), "\"a\" and \"b\"");
        assert_eq!(describe_chars("aab!".chars()), "\"a\", \"b\" and \"!\"");
        assert_eq!(describe_chars("abcde".chars()), "\"a\", \"b\", \"c\" and 2 more");
        assert_eq!(quoted("a\u{200b}\"b"), "\"a\\u{200B}\\\"b\"");
    }
}
