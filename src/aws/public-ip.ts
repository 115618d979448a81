/**
 * The caller's public IPv4 address, for a /32 ingress rule. Injectable everywhere it is used so
 * tests never touch the network.
 */

/** Looks up the public IPv4 address, or resolves undefined when it cannot (offline, blocked, slow). */
export type PublicIpLookup = (signal?: AbortSignal) => Promise<string | undefined>;

/** AWS's own what-is-my-IP service: the address AWS will see the connections come from. */
export const CHECKIP_URL = 'https://checkip.amazonaws.com/';
export const PUBLIC_IP_TIMEOUT_MS = 3000;

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;

/** A lookup through `fetchImpl` that gives up after `timeoutMs`. */
export function publicIpLookup(
  fetchImpl: typeof fetch = fetch,
  timeoutMs = PUBLIC_IP_TIMEOUT_MS,
  url = CHECKIP_URL,
): PublicIpLookup {
  return async (signal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await fetchImpl(url, { signal: combined });
      if (!response.ok) return undefined;
      const text = (await response.text()).trim();
      return IPV4.test(text) ? text : undefined;
    } catch {
      return undefined;
    }
  };
}
