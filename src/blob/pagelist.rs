//! The `PageList` body of Get Page Ranges, read by a small strict hand parser (no XML crate).
//!
//! Accepted: an optional UTF-8 BOM and `<?xml …?>` declaration, comments, whitespace between
//! elements, `<PageList>` (or `<PageList/>`) holding `PageRange` and `ClearRange` elements in any
//! interleaving, each `<Start>n</Start><End>n</End>`, and `NextMarker` (absent, `<NextMarker/>`,
//! empty or with text). Anything else is an error. The parser reads each byte at most a fixed
//! number of times: its time is linear in the body, and it never recurses.

/// One range as the service listed it (`end` inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListedRange {
    /// First byte.
    pub start: u64,
    /// Last byte (inclusive).
    pub end: u64,
    /// `ClearRange` (pages cleared since the previous snapshot) rather than `PageRange`.
    pub cleared: bool,
}

/// A parsed `PageList`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageList {
    /// The ranges in document order.
    pub ranges: Vec<ListedRange>,
    /// The continuation marker, when non-empty.
    pub next_marker: Option<String>,
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }

    fn skip_ws(&mut self) {
        let r = self.rest();
        self.i += r.len() - r.trim_start_matches([' ', '\t', '\r', '\n']).len();
    }

    /// Skips whitespace and comments.
    fn skip_misc(&mut self) -> Result<(), String> {
        loop {
            self.skip_ws();
            if self.rest().starts_with("<!--") {
                let end = self.rest().find("-->").ok_or("unterminated comment")?;
                self.i += end + 3;
            } else {
                return Ok(());
            }
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn at(&self) -> String {
        let excerpt: String = self.rest().chars().take(40).collect();
        format!("at byte {}: {excerpt:?}", self.i)
    }

    /// `<Name …>` or `<Name …/>`: the name and whether it closed itself.
    fn open_tag(&mut self) -> Result<(&'a str, bool), String> {
        if !self.eat("<") {
            return Err(format!("expected an element {}", self.at()));
        }
        let r = self.rest();
        let len = r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '-')).unwrap_or(r.len());
        if len == 0 {
            return Err(format!("expected an element name {}", self.at()));
        }
        let name = &r[..len];
        self.i += len;
        let r = self.rest();
        let close = r.find('>').ok_or_else(|| format!("unterminated <{name}> tag"))?;
        let inner = &r[..close];
        if inner.contains('<') {
            return Err(format!("malformed <{name}> tag"));
        }
        self.i += close + 1;
        Ok((name, inner.ends_with('/')))
    }

    fn close_tag(&mut self, name: &str) -> Result<(), String> {
        self.skip_ws();
        if self.eat("</") && self.eat(name) {
            self.skip_ws();
            if self.eat(">") {
                return Ok(());
            }
        }
        Err(format!("expected </{name}> {}", self.at()))
    }

    fn text(&mut self) -> &'a str {
        let r = self.rest();
        let len = r.find('<').unwrap_or(r.len());
        self.i += len;
        &r[..len]
    }

    fn number(&mut self, name: &str) -> Result<u64, String> {
        self.skip_misc()?;
        let (tag, empty) = self.open_tag()?;
        if tag != name || empty {
            return Err(format!("expected <{name}>, found <{tag}>"));
        }
        let text = self.text().trim_matches([' ', '\t', '\r', '\n']);
        if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
            let shown: String = text.chars().take(30).collect();
            return Err(format!("<{name}> is not a byte offset: {shown:?}"));
        }
        let value = text.parse::<u64>().map_err(|_| format!("<{name}> {text} is out of range"))?;
        self.close_tag(name)?;
        Ok(value)
    }
}

fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let (rep, len) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&apos;", '\'')]
            .iter()
            .find(|(e, _)| after.starts_with(e))
            .map(|(e, c)| (*c, e.len()))
            .ok_or("NextMarker has an unknown entity")?;
        out.push(rep);
        rest = &after[len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses a `PageList` body; at most `max_ranges` ranges. The error says what is wrong, in words.
pub fn parse(body: &str, max_ranges: usize) -> Result<PageList, String> {
    let mut c = Cursor { s: body.strip_prefix('\u{feff}').unwrap_or(body), i: 0 };
    c.skip_ws();
    if c.eat("<?xml") {
        let end = c.rest().find("?>").ok_or("unterminated XML declaration")?;
        c.i += end + 2;
    }
    c.skip_misc()?;
    let (root, empty) = c.open_tag()?;
    if root != "PageList" {
        return Err(format!("expected <PageList>, found <{root}>"));
    }
    let mut list = PageList::default();
    let mut marker_seen = false;
    if !empty {
        loop {
            c.skip_misc()?;
            if c.rest().starts_with("</") {
                c.close_tag("PageList")?;
                break;
            }
            if c.rest().is_empty() {
                return Err("the body ends inside <PageList> (truncated)".into());
            }
            let (name, empty) = c.open_tag()?;
            match name {
                "PageRange" | "ClearRange" if !empty => {
                    if list.ranges.len() >= max_ranges {
                        return Err(format!("more than {max_ranges} ranges in one body"));
                    }
                    let start = c.number("Start")?;
                    let end = c.number("End")?;
                    c.close_tag(name)?;
                    list.ranges.push(ListedRange { start, end, cleared: name == "ClearRange" });
                }
                "NextMarker" if !marker_seen => {
                    marker_seen = true;
                    if !empty {
                        let text = unescape(c.text().trim())?;
                        c.close_tag("NextMarker")?;
                        if !text.is_empty() {
                            if text.len() > 4096 {
                                return Err("NextMarker is longer than 4096 characters".into());
                            }
                            list.next_marker = Some(text);
                        }
                    }
                }
                other => {
                    let shown: String = other.chars().take(40).collect();
                    return Err(format!("unexpected element <{shown}> in <PageList>"));
                }
            }
        }
    }
    c.skip_misc()?;
    if !c.rest().is_empty() {
        return Err(format!("unexpected text after </PageList> {}", c.at()));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_forms() {
        let l = parse("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PageList/>", 10).unwrap();
        assert_eq!(l, PageList::default());
        let l = parse("<PageList><ClearRange><Start>0</Start><End>511</End></ClearRange><NextMarker>a&amp;b</NextMarker></PageList>", 10).unwrap();
        assert_eq!(l.ranges, vec![ListedRange { start: 0, end: 511, cleared: true }]);
        assert_eq!(l.next_marker.as_deref(), Some("a&b"));
        for bad in [
            "",
            "<PageList>",
            "<Other/>",
            "<PageList><PageRange><Start>x</Start><End>1</End></PageRange></PageList>",
            "<PageList/>junk",
        ] {
            assert!(parse(bad, 10).is_err(), "{bad}");
        }
    }
}
