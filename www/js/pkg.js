// Loads the azure-incremental-snapshots package (its browser entry, `--target web` ESM) from
// ../pkg/web.js relative to this module, i.e. /pkg/web.js next to the page, and instantiates the
// WebAssembly once (`await init()` fetches the .wasm next to web.js).

let loading = null;

export function loadPackage() {
  loading ??= (async () => {
    const url = new URL("../pkg/web.js", import.meta.url).href;
    let mod;
    try {
      mod = await import(url);
    } catch (e) {
      throw new Error(
        `The package could not be loaded from ${url} (${e.message}). Build it with \`npm run build\` and serve pkg/ at /pkg next to the page.`,
      );
    }
    await mod.default();
    return mod;
  })();
  return loading;
}
