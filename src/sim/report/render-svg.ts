/**
 * Vega-Lite spec → SVG text, in Node, without a browser or a canvas.
 *
 * Vega's headless view (`renderer: 'none'`) renders the scenegraph straight to an SVG
 * string. Two pieces of global state would make the bytes depend on what ran before in the
 * process, so both are pinned before every plot:
 * - clip-path and gradient ids come from module-wide counters: `resetSVGDefIds()`;
 * - text widths (layout of titles, legends and axis labels) are measured with node-canvas
 *   when it happens to be installed, estimated from character counts otherwise: estimation
 *   is forced, so every machine lays out the same.
 *
 * Vega and Vega-Lite are loaded on first use: they are large, and only a report needs them.
 * Their warnings are collected and returned instead of printed.
 */
import type { LoggerInterface } from 'vega';
import type { TopLevelSpec } from 'vega-lite';

export interface RenderedSvg {
  svg: string;
  /** Warnings from Vega-Lite's compiler and Vega's runtime (none for a well-formed spec). */
  warnings: string[];
}

export async function renderSvg(spec: TopLevelSpec): Promise<RenderedSvg> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  let compiled: ReturnType<typeof vegaLite.compile>['spec'];
  try {
    compiled = vegaLite.compile(spec, { logger }).spec;
  } catch (err) {
    throw new Error(`Vega-Lite could not compile the spec: ${messageOf(err)}`);
  }
  pinTextMetrics(vega);
  vega.resetSVGDefIds();
  let view: InstanceType<typeof vega.View> | undefined;
  try {
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logger, logLevel: vega.Warn });
    const svg = await view.toSVG();
    return { svg: svg.endsWith('\n') ? svg : `${svg}\n`, warnings };
  } catch (err) {
    throw new Error(`Vega could not render the spec: ${messageOf(err)}`);
  } finally {
    view?.finalize();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `textMetrics` is exported at run time (vega-scenegraph) but missing from vega's typings. */
function pinTextMetrics(vega: object): void {
  const metrics = (vega as { textMetrics?: { canvas?: (use: boolean) => void } }).textMetrics;
  if (typeof metrics?.canvas !== 'function') {
    throw new Error('vega.textMetrics.canvas is missing: cannot make text layout deterministic');
  }
  metrics.canvas(false);
}

/** A Vega logger that keeps warnings and errors as text and prints nothing. */
function collectingLogger(messages: string[]): LoggerInterface {
  let level = 0;
  const keep = (args: unknown[]): void => {
    messages.push(args.map(messageOf).join(' '));
  };
  const logger: LoggerInterface = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]) {
      keep(args);
      return logger;
    },
    warn(...args: unknown[]) {
      keep(args);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}
