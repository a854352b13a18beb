import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small path-style S3 on node:http, enough for lib-storage's Upload and dockside's
 * list/get/delete: PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListObjectsV2, DeleteObject, HeadObject, GetObject.
 * Signatures are not checked. `failUploadPart` makes parts fail, as a full bucket or a
 * network cut would.
 */
export interface FakeS3 {
  url: string;
  objects: Map<string, Buffer>;
  /** Multipart uploads still open (neither completed nor aborted). */
  openUploads: Map<string, { key: string; parts: Map<number, Buffer> }>;
  aborted: string[];
  /** Parts with a number >= this fail with 500 (undefined: none fail). */
  failUploadPart: number | undefined;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeS3(): Promise<FakeS3> {
  const state: Omit<FakeS3, 'url' | 'close'> = {
    objects: new Map(),
    openUploads: new Map(),
    aborted: [],
    failUploadPart: undefined,
    requests: [],
  };
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => handle(state, req, res, body),
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      resolve(
        String(req.headers['content-encoding'] ?? '').includes('aws-chunked') ? decodeChunked(raw) : raw,
      );
    });
    req.on('error', reject);
  });
}

/** `aws-chunked`: `<hex size>[;signature]\r\n<data>\r\n` ... `0\r\n<trailers>\r\n\r\n`. */
function decodeChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const eol = raw.indexOf('\r\n', pos);
    const size = Number.parseInt(raw.subarray(pos, eol).toString().split(';')[0] ?? '0', 16);
    if (!size) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function xml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
}

function error(res: ServerResponse, status: number, code: string): void {
  xml(res, status, `<Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

const etag = () => `"${randomBytes(16).toString('hex')}"`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function handle(
  state: Omit<FakeS3, 'url' | 'close'>,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) {
  const url = new URL(req.url ?? '/', 'http://s3.local');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  state.requests.push(`${method} ${url.pathname}${url.search}`);
  const full = `${bucket}/${key}`;

  if (method === 'GET' && !key && q.get('list-type') === '2') {
    const prefix = `${bucket}/${q.get('prefix') ?? ''}`;
    const items = [...state.objects.entries()].filter(([k]) => k.startsWith(prefix)).sort();
    const contents = items
      .map(
        ([k, v]) =>
          `<Contents><Key>${esc(k.slice(bucket.length + 1))}</Key><Size>${v.length}</Size></Contents>`,
      )
      .join('');
    return xml(
      res,
      200,
      `<ListBucketResult><Name>${bucket}</Name><KeyCount>${items.length}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
    );
  }
  if (method === 'POST' && q.has('uploads')) {
    const uploadId = randomBytes(8).toString('hex');
    state.openUploads.set(uploadId, { key: full, parts: new Map() });
    return xml(
      res,
      200,
      `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${esc(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
    );
  }
  const uploadId = q.get('uploadId');
  if (uploadId) {
    const upload = state.openUploads.get(uploadId);
    if (!upload) return error(res, 404, 'NoSuchUpload');
    if (method === 'PUT') {
      const part = Number(q.get('partNumber'));
      if (state.failUploadPart !== undefined && part >= state.failUploadPart) {
        return error(res, 500, 'InternalError');
      }
      upload.parts.set(part, body);
      res.writeHead(200, { etag: etag() });
      return res.end();
    }
    if (method === 'POST') {
      const numbers = [...upload.parts.keys()].sort((a, b) => a - b);
      state.objects.set(upload.key, Buffer.concat(numbers.map((n) => upload.parts.get(n)!)));
      state.openUploads.delete(uploadId);
      return xml(
        res,
        200,
        `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${esc(key)}</Key><ETag>${etag()}</ETag></CompleteMultipartUploadResult>`,
      );
    }
    if (method === 'DELETE') {
      state.openUploads.delete(uploadId);
      state.aborted.push(uploadId);
      res.writeHead(204);
      return res.end();
    }
  }
  if (method === 'PUT') {
    state.objects.set(full, body);
    res.writeHead(200, { etag: etag() });
    return res.end();
  }
  if (method === 'DELETE') {
    state.objects.delete(full);
    res.writeHead(204);
    return res.end();
  }
  const object = state.objects.get(full);
  if (method === 'HEAD') {
    res.writeHead(object ? 200 : 404, object ? { 'content-length': object.length, etag: etag() } : {});
    return res.end();
  }
  if (method === 'GET') {
    if (!object) return error(res, 404, 'NoSuchKey');
    res.writeHead(200, { 'content-length': object.length, 'content-type': 'application/octet-stream' });
    return res.end(object);
  }
  return error(res, 405, 'MethodNotAllowed');
}
