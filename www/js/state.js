// The page's shared state, in one module that imports nothing: the entry (main.js) fills it at
// boot and the views read it (they get `app` passed in their context). The actions that need the
// router or the session (rerender, signOut, showError) are installed by the entry, so no view
// module ever imports the entry.

/** The app's state, shared with the views. */
export const app = {
  lib: null, // the package, once loaded
  session: null, // the connection (auth.js), or null
  emulator: null, // the local emulator's info when it serves the page, else null
  params: new URLSearchParams(location.search),
  subs: null, // cached subscription list of the session
  view: null, // AbortController of the current view's reads
  pendingRoute: null, // the hash asked for before connecting, opened after
  /** Render the current route again (installed by the entry). */
  rerender: () => {},
  /** Sign out and forget the token (installed by the entry). */
  signOut: async () => {},
  /** An error from an action as a dismissible alert (installed by the entry). */
  showError: () => {},
};

/** The snapshot to highlight once in the disk view (the result of the last create or copy). */
export const highlight = { id: null };
