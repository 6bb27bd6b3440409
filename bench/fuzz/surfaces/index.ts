/**
 * Every fuzzed surface, by name (`npm run fuzz -- --surface <name>`).
 */
import type { Surface } from '../campaign.js';
import { cliSurface } from './cli.js';
import { clientSocketSurface } from './client-socket.js';
import { clientSurface } from './client.js';
import { nodeSurface } from './node.js';
import { noiseSurface } from './noise.js';
import { scenarioSurface } from './scenario.js';
import { wireSurface } from './wire.js';

export interface SurfaceOptions {
  /** The node surface's crypto: the daemon's ('real', node:crypto) or the simulator's. */
  crypto: 'real' | 'modelled';
}

export const SURFACE_NAMES = [
  'wire',
  'node',
  'noise',
  'client',
  'client-socket',
  'scenario',
  'cli',
] as const;
export type SurfaceName = (typeof SURFACE_NAMES)[number];

/** The campaign runs surfaces by name: the input type is each surface's own business. */
const erase = <I>(surface: Surface<I>): Surface<unknown> => surface as unknown as Surface<unknown>;

export function surfaceByName(name: SurfaceName, options: SurfaceOptions): Surface<unknown> {
  switch (name) {
    case 'wire':
      return erase(wireSurface);
    case 'node':
      return erase(nodeSurface({ crypto: options.crypto }));
    case 'noise':
      return erase(noiseSurface);
    case 'client':
      return erase(clientSurface);
    case 'client-socket':
      return erase(clientSocketSurface);
    case 'scenario':
      return erase(scenarioSurface);
    case 'cli':
      return erase(cliSurface);
  }
}

export function isSurfaceName(name: string): name is SurfaceName {
  return (SURFACE_NAMES as readonly string[]).includes(name);
}
