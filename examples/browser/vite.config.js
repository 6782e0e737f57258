// Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, so
// ssimkit's init() in a Worker can run the threaded build. Serve these two
// headers wherever you deploy dist/. Nothing here is for ssimkit itself.
const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default { server: { headers }, preview: { headers } };
