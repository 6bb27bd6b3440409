/**
 * Settings: defaults, then config.json, then flags; every bad value named with its source.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  ConfigError,
  readConfigFile,
  resolveSettings,
} from '../../src/daemon/config.js';
import { HOPS_DEFAULT, LISTEN_DEFAULT, MESSAGE_TTL_MS } from '../../src/daemon/limits.js';

function configFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pmsg-config-'));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, text);
  return file;
}

describe('daemon settings', () => {
  it('defaults: loopback listen, advertised as is, relay on, 3 hops, text logs', () => {
    expect(resolveSettings({}, {})).toEqual({
      listen: LISTEN_DEFAULT,
      advertise: LISTEN_DEFAULT,
      bootstrap: [],
      relay: true,
      clientListen: null,
      hops: HOPS_DEFAULT,
      shards: null,
      messageTtlMs: MESSAGE_TTL_MS,
      logFormat: 'text',
      logLevel: 'info',
    });
  });

  it('the file fills what flags leave out; a flag wins over the file', () => {
    const file = readConfigFile(
      configFile(
        JSON.stringify({
          listen: '127.0.0.9:7001',
          bootstrap: ['127.0.0.2:7000', '127.0.0.3:7000'],
          relay: false,
          hops: 2,
          logFormat: 'json',
        }),
      ),
    );
    const settings = resolveSettings(file, { hops: 1, bootstrap: ['127.0.0.4:7000'] });
    expect(settings).toMatchObject({
      listen: '127.0.0.9:7001',
      advertise: '127.0.0.9:7001',
      bootstrap: ['127.0.0.4:7000'],
      relay: false,
      hops: 1,
      logFormat: 'json',
    });
  });

  it('an absent config file is no settings', () => {
    expect(readConfigFile(path.join(os.tmpdir(), 'p2pmsg-no-such-dir', 'config.json'))).toEqual({});
  });

  it('an unknown key is an error naming the key, with a did-you-mean and the known keys', () => {
    const file = configFile('{"listen":"127.0.0.2:7000","bootsrap":["127.0.0.3:7000"]}');
    expect(() => readConfigFile(file)).toThrow(ConfigError);
    expect(() => readConfigFile(file)).toThrow(
      /unknown key "bootsrap" \(did you mean "bootstrap"\?\); known keys: listen, /,
    );
    for (const key of CONFIG_KEYS) expect(String(CONFIG_KEYS)).toContain(key);
  });

  it('a file that is not a JSON object is refused with the reason', () => {
    expect(() => readConfigFile(configFile('{"listen": '))).toThrow(/not valid JSON/);
    expect(() => readConfigFile(configFile('[1,2]'))).toThrow(/must be a JSON object/);
  });

  it('bad values name their source: the flag or the file key', () => {
    expect(() => resolveSettings({}, { hops: 9 })).toThrow(
      '--hops: expected an integer from 1 to 4, found 9',
    );
    expect(() => resolveSettings({ hops: 'three' }, {})).toThrow(
      'config.json: hops: expected an integer from 1 to 4, found "three"',
    );
    expect(() => resolveSettings({ listen: 'nowhere' }, {})).toThrow(
      /config\.json: listen: expected host:port/,
    );
    expect(() => resolveSettings({}, { bootstrap: ['127.0.0.2'] })).toThrow(
      '--bootstrap: expected host:port, found "127.0.0.2"',
    );
    expect(() => resolveSettings({ relay: 'no' }, {})).toThrow(
      'config.json: relay: expected true or false, found "no"',
    );
    expect(() => resolveSettings({}, { logFormat: 'xml' })).toThrow(
      '--log-format: expected one of text, json, found "xml"',
    );
  });

  it('shards: a node default of "n/k" or "none", from the file or --shards', () => {
    expect(resolveSettings({ shards: '3/2' }, {}).shards).toEqual({ n: 3, k: 2 });
    expect(resolveSettings({ shards: '3/2' }, { shards: 'none' }).shards).toBeNull();
    expect(resolveSettings({}, { shards: '5/3' }).shards).toEqual({ n: 5, k: 3 });
    expect(() => resolveSettings({}, { shards: '2/5' })).toThrow(
      '--shards: k (5) cannot exceed n (2): any k of the n shards rebuild the message',
    );
    expect(() => resolveSettings({ shards: 3 }, {})).toThrow(
      'config.json: shards: expected n/k with 1 ≤ k ≤ n ≤ 8 (e.g. 3/2) or "none", found 3',
    );
    expect(() => resolveSettings({}, { shards: '12/2' })).toThrow(
      '--shards: at most 8 shards per message, found n = 12',
    );
  });

  it('--client-listen on a non-loopback address is refused', () => {
    expect(() => resolveSettings({}, { clientListen: '0.0.0.0:7100' })).toThrow(
      /0\.0\.0\.0 is not a loopback address/,
    );
    expect(() => resolveSettings({}, { clientListen: '192.168.1.5:7100' })).toThrow(
      /not a loopback address/,
    );
    expect(resolveSettings({}, { clientListen: '127.0.0.1:7100' }).clientListen).toBe(
      '127.0.0.1:7100',
    );
    expect(resolveSettings({}, { clientListen: '[::1]:7100' }).clientListen).toBe('[::1]:7100');
  });

  it('a wildcard listen address needs --advertise; port 0 is allowed only for listening', () => {
    expect(() => resolveSettings({}, { listen: '0.0.0.0:7000' })).toThrow(/add --advertise/);
    expect(
      resolveSettings({}, { listen: '0.0.0.0:7000', advertise: '203.0.113.7:7000' }),
    ).toMatchObject({ listen: '0.0.0.0:7000', advertise: '203.0.113.7:7000' });
    expect(resolveSettings({}, { listen: '127.0.0.2:0' }).listen).toBe('127.0.0.2:0');
    expect(() => resolveSettings({}, { advertise: '127.0.0.2:0' })).toThrow(/--advertise/);
  });
});
