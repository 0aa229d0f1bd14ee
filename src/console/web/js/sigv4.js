// sigv4.js - AWS Signature Version 4 for the console's API calls, signed in the browser so that the
// secret never leaves it: the canonical request (method, path, sorted query, the signed headers,
// the payload's SHA-256), the string to sign for the credential scope, and the signing key derived
// from the secret by HMAC over date, region, service and "aws4_request".
import { hex, hmacSha256, sha256, utf8 } from './crypto.js';

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX.
export function uriEncode(text, keepSlash = false) {
  let out = '';
  for (const b of utf8(text)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function canonicalQuery(query) {
  if (!query) return '';
  const pairs = query.split('&').filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    const name = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    return [uriEncode(name), uriEncode(value)];
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => n + '=' + v).join('&');
}

// "20150830T123600Z" for a Date.
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// The Authorization header value for a request. request: {method, path, query, headers (name ->
// value, must include host and x-amz-date), body (Uint8Array)}; creds: {accessKeyId,
// secretAccessKey}; scope: {region, service}.
export async function authorization(request, creds, scope) {
  const names = Object.keys(request.headers).map((n) => n.toLowerCase()).sort();
  const values = {};
  for (const [n, v] of Object.entries(request.headers)) {
    values[n.toLowerCase()] = String(v).trim().replace(/\s+/g, ' ');
  }
  const signedHeaders = names.join(';');
  const canonical = [
    request.method,
    uriEncode(request.path, true),
    canonicalQuery(request.query),
    names.map((n) => n + ':' + values[n] + '\n').join(''),
    signedHeaders,
    hex(await sha256(request.body)),
  ].join('\n');
  const stamp = values['x-amz-date'];
  const day = stamp.slice(0, 8);
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', stamp, credentialScope,
    hex(await sha256(utf8(canonical)))].join('\n');
  let key = utf8('AWS4' + creds.secretAccessKey);
  for (const part of [day, scope.region, scope.service, 'aws4_request']) {
    key = await hmacSha256(key, utf8(part));
  }
  const signature = hex(await hmacSha256(key, utf8(toSign)));
  return `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${credentialScope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
