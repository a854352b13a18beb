import { callFor, createDoContext, type DoClientOptions } from './context.js';
import type { App } from './port.js';
import { AppsResponse } from './schema.js';

/** The most apps one `GET /v2/apps` answers (OpenAPI `per_page` maximum). */
export const APPS_PER_PAGE = 200;
/** Stops a `links.pages.next` that never ends (a broken answer) from looping. */
const MAX_PAGES = 50;

export interface AppListClient {
  /**
   * Every app of the account with its active, in-progress and pending deployment, in as
   * few requests as DigitalOcean allows (200 apps a page): what the out-of-band watcher
   * polls instead of one `GET /v2/apps/{id}` per env.
   */
  listApps(): Promise<App[]>;
}

export function createAppListClient(options: DoClientOptions): AppListClient {
  const { context, clock } = createDoContext(options);
  const call = callFor(clock);
  return {
    async listApps() {
      const apps: App[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const res = await call({ thing: 'The list of apps', action: 'list the apps' }, AppsResponse, () =>
          context.httpClient.get('/apps', { params: { page, per_page: APPS_PER_PAGE } }),
        );
        apps.push(...(res.apps ?? []));
        if (!res.links?.pages?.next || (res.apps ?? []).length === 0) break;
      }
      return apps;
    },
  };
}
