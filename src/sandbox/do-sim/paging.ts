import { SimHttpError } from './types.js';

/**
 * DigitalOcean's list paging (shared/parameters.yml, pages.yml, meta.yml): `page` from 1,
 * `per_page` 1..200 (default 20); `links.pages` holds absolute `first`/`prev` past page 1
 * and `last`/`next` before the last page; `meta.total` counts every item. A value outside
 * the schema is refused (400) rather than quietly clamped: the description gives the
 * bounds but not what the API does past them, so a client must stay inside them.
 */
export const MAX_PER_PAGE = 200;

export interface Page<T> {
  items: T[];
  links: { pages?: Partial<Record<'first' | 'prev' | 'next' | 'last', string>> };
  meta: { total: number };
}

function positiveInt(query: URLSearchParams, key: string, fallback: number, max?: number): number {
  const raw = query.get(key);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || (max !== undefined && value > max)) {
    const range = max === undefined ? 'an integer of at least 1' : `an integer from 1 to ${max}`;
    throw new SimHttpError(400, 'bad_request', `${key} must be ${range}`);
  }
  return value;
}

/** One page of `all` as `GET <baseUrl><path>?<query>` answers it. */
export function pageOf<T>(all: readonly T[], query: URLSearchParams, baseUrl: string, path: string): Page<T> {
  const perPage = positiveInt(query, 'per_page', 20, MAX_PER_PAGE);
  const page = positiveInt(query, 'page', 1);
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  const link = (n: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(n));
    q.set('per_page', String(perPage));
    return `${baseUrl}${path}?${q}`;
  };
  const pages = {
    ...(page > 1 ? { first: link(1), prev: link(Math.min(page - 1, lastPage)) } : {}),
    ...(page < lastPage ? { next: link(page + 1), last: link(lastPage) } : {}),
  };
  return {
    items: all.slice((page - 1) * perPage, page * perPage),
    links: Object.keys(pages).length > 0 ? { pages } : {},
    meta: { total: all.length },
  };
}
