/**
 * Label values of the metrics, from request paths: bounded (ids, tokens and emoji elided) and
 * never carrying a secret (interaction and webhook tokens sit in Discord paths).
 */

/** `/channels/123/messages/456` → `/channels/:id/messages/:id`; tokens → `:token`. */
export function discordRouteLabel(path: string): string {
  const segments = path.split('?')[0]!.split('/');
  const out: string[] = [];
  for (const [i, segment] of segments.entries()) {
    const previous = segments[i - 1];
    const beforePrevious = segments[i - 2];
    if (/^\d{5,}$/.test(segment)) out.push(':id');
    else if ((beforePrevious === 'webhooks' || beforePrevious === 'interactions') && segment !== '') out.push(':token');
    else if (previous === 'reactions') out.push(':emoji');
    else if (segment.length > 40) out.push(':value');
    else out.push(decode(segment));
  }
  return out.join('/');
}

/** The interaction id of `/interactions/<id>/<token>/callback`, else undefined. */
export function interactionIdOfCallback(path: string): string | undefined {
  return /^\/interactions\/(\d+)\/[^/]+\/callback(?:\?|$)/.exec(path)?.[1];
}

/** `submit`, `model_info`, `status`, `result`, `cancel` (or `other`): one value per API endpoint. */
export function runcomfyEndpoint(method: string, route: string): string {
  if (route.startsWith('/v1/models/')) return method === 'POST' ? 'submit' : 'model_info';
  const match = /^\/v1\/requests\/\{id\}\/(status|result|cancel)/.exec(route);
  return match ? match[1]! : 'other';
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
