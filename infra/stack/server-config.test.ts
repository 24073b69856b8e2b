import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clickhouseConfigXml, clickhouseUsersXml } from './clickhouse-config.js';
import { postgresSettings } from './postgres-config.js';
import { redisConf } from './redis-config.js';

const tags = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);

describe('generated server configurations', () => {
  it('ClickHouse: loopback only, the given ports, every path under its directory, no interserver port', () => {
    const xml = clickhouseConfigXml({
      httpPort: 18133,
      tcpPort: 19010,
      dataDir: '/s/clickhouse/data',
      logFile: '/s/clickhouse/log/server.log',
      errorLogFile: '/s/clickhouse/log/server.err.log',
      usersFile: '/s/clickhouse/users.xml',
    });
    assert.deepEqual(tags(xml, 'listen_host'), ['127.0.0.1']);
    assert.deepEqual(tags(xml, 'http_port'), ['18133']);
    assert.deepEqual(tags(xml, 'tcp_port'), ['19010']);
    assert.equal(tags(xml, 'interserver_http_port').length, 0);
    for (const tag of ['path', 'tmp_path', 'user_files_path', 'format_schema_path', 'log', 'errorlog', 'users_config'])
      assert.ok(tags(xml, tag).every((p) => p?.startsWith('/s/clickhouse/')) && tags(xml, tag).length === 1, tag);
  });

  it('ClickHouse: the default user has no password and is reachable from loopback only', () => {
    const xml = clickhouseUsersXml();
    assert.deepEqual(tags(xml, 'password'), ['']);
    assert.deepEqual(tags(xml, 'ip'), ['127.0.0.1', '::1']);
  });

  it('Redis: loopback, append-only, data and log where asked', () => {
    const conf = redisConf({ port: 16389, dataDir: '/s/redis/data', logFile: '/s/redis/redis.log' }).split('\n');
    for (const line of [
      'bind 127.0.0.1',
      'port 16389',
      'appendonly yes',
      'dir "/s/redis/data"',
      'logfile "/s/redis/redis.log"',
      'daemonize no',
    ])
      assert.ok(conf.includes(line), line);
  });

  it('PostgreSQL: TCP on 127.0.0.1 at the given port, no Unix socket', () => {
    const conf = postgresSettings(15442).split('\n');
    for (const line of ["listen_addresses = '127.0.0.1'", 'port = 15442', "unix_socket_directories = ''"])
      assert.ok(conf.includes(line), line);
  });
});
