// The server's refusals in the page's language. Every error answers {code, field,
// message}; the sampler's and the lab's pages look up `<page>.why.<route>.<field>.<code>`
// (what the route's C code refuses, listed in tests/api/reasons.test.js), then
// `<page>.why.any.<code>` (what any route can answer), and only then show the server's
// own (English) message.

// err: {code, field, message} of an item or an ApiError (status 0: no network).
export function reason(err, t, te, page, route) {
  if (!err) return '';
  const code = err.status === 0 ? 'network' : err.code;
  const field = err.field || '';
  for (const k of [`${page}.why.${route}.${field}.${code}`, `${page}.why.any.${code}`]) {
    if (code && te(k)) return t(k);
  }
  return err.message || code || '';
}
