// Config: every setting of a Stratus process, from one TOML file plus flags.
//
// Every key has a default, so no file at all is a valid configuration (what
// `stratus aio` runs with). A key the schema does not know, or a value of the
// wrong type, is an error that names the key and the file and line. Each plugin
// gets its own table by kind, [driver.<name>], [filter.<name>] or
// [weigher.<name>] (a filter and a weigher may share a name), which the core
// passes through as a PluginConfig and the plugin checks itself.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/plugin_descriptor.h"
#include "stratus/sdk/result.h"

namespace stratus::core {

struct PluginsSection {
  std::vector<std::string> paths;  // searched before $STRATUS_PLUGIN_PATH and the default
};

struct ComputeSection {
  std::string driver = "fake";     // the VirtDriver plugin each compute host uses
  // Builds one compute service runs at once; more wait (Nova's max_concurrent_builds).
  std::int64_t max_concurrent_builds = 10;
  // Seconds between service heartbeats (Nova's report_interval).
  double heartbeat_interval = 10.0;
  // Seconds between full resource reports; a change (build, delete) also
  // reports at once (Nova's update_resources_interval, default 60).
  double resource_report_interval = 60.0;
  // Seconds between power-state syncs with the driver; 0 disables
  // (Nova's sync_power_state_interval).
  double sync_power_state_interval = 600.0;
  // Seconds a soft-deleted instance is kept before it is reclaimed; 0 makes
  // delete immediate (Nova's reclaim_instance_interval).
  double reclaim_instance_interval = 0.0;
  // Seconds a shelved instance keeps its host before it is offloaded; 0:
  // offloaded as part of the shelve; -1: never (Nova's shelved_offload_time).
  double shelved_offload_time = 0.0;
  // The image service this host downloads image data from
  // ("http://HOST:PORT/image"); empty: derived from [api] listen (aio).
  std::string image_api_url;
  // Where downloaded image data goes, one file per image id. Empty: the
  // driver's own `image_source_path` if its table sets one (libvirt), else
  // no download (the fake driver reads no image data). Set it to the
  // directory the driver reads images from.
  std::string image_download_path;
};

struct ImageSection {
  // Where the image service keeps image data; empty: <data_dir>/images.
  std::string store_path;
  // Largest image accepted, in bytes (default 10 GiB); bigger uploads get 413.
  std::int64_t max_image_size = std::int64_t{10} << 30;
};

struct SchedulerSection {
  // Nova's defaults, cheapest first.
  std::vector<std::string> enabled_filters = {
      "compute",       "availability_zone",          "ram",          "core",
      "disk",          "image_properties",           "same_host",    "different_host",
      "server_group_affinity", "server_group_anti_affinity", "num_instances",
      "aggregate_instance_extra_specs"};
  std::vector<std::string> weighers = {"ram", "cpu", "disk", "num_instances"};
  // Pick at random among this many best hosts (Nova's host_subset_size).
  std::int64_t host_subset_size = 1;
  // Hosts tried per instance: the first plus alternates for reschedules.
  std::int64_t max_attempts = 3;
};

// The conductor's stuck-instance sweep (docs/compute.md, "Never stuck, never
// lost"): seconds an instance's record may stay unchanged; 0 turns a rule off.
struct ConductorSection {
  // Waiting for a host (building/scheduling): the build request was lost;
  // schedule it again. Keep it above rpc.call_timeout.
  double lost_build_timeout = 180.0;
  // A build that has not moved ends in ERROR (Nova's instance_build_timeout).
  double instance_build_timeout = 3600.0;
  // A delete or power action that has not finished is sent again (an action
  // once), then ends in ERROR; any other task ends in ERROR.
  double task_timeout = 1800.0;
  // Seconds between sweeps; 0: no sweep.
  double stuck_check_interval = 60.0;
  // A build placed on a live host whose cast was lost with the conductor
  // that placed it is cast to that host again at most this many times, then
  // scheduled elsewhere; 0: never re-sent, always scheduled again.
  std::int64_t max_build_resends = 2;
};

struct RpcSection {
  // Where endpoints connect: "inproc://stratus" inside one process (aio),
  // "tcp://HOST:PORT" between processes.
  std::string router = "tcp://127.0.0.1:5672";
  // Where the `router` role binds; default: the router address.
  std::string bind;
  // Seconds a call waits for its reply.
  double call_timeout = 60.0;
  // Milliseconds between RPC heartbeats (a peer silent for 3 of them is gone).
  std::int64_t heartbeat_ms = 1000;
  // CURVE keys (see `stratus keys generate`); empty: plain text on loopback.
  std::string keys_dir;
};

struct ApiSection {
  std::string listen = "127.0.0.1:8774";  // host:port; port 0 picks a free one
  // "keystone": X-Auth-Token must be a project-scoped token of the identity
  // service under /identity (docs/identity.md); "noauth": every request acts
  // as admin (loopback tests only; logged as a warning); "token":
  // X-Auth-Token must equal admin_token.
  std::string auth_strategy = "keystone";
  std::string admin_token;
  // The URL clients reach the API at, for the identity catalog and
  // clouds.yaml ("https://cloud.example.com:8774"); empty: "http://" + the
  // request's Host header.
  std::string public_url;
  // The dashboard's folder (served at /dashboard/); empty: share/stratus/web
  // beside the binary's bin/ (core/http/static_files.h).
  std::string dashboard_dir;
  // Slow clients (slowloris): seconds within which a request's line and
  // headers must arrive, and the bytes/s its body must average after as
  // many seconds more of grace (ApiServerOptions; Apache's mod_reqtimeout).
  double request_head_time = 10.0;
  std::int64_t body_min_rate = 1024;
};

// [upgrade_levels]: the highest RPC version the typed clients send to each
// topic during a rolling upgrade (Nova's [upgrade_levels]): "" sends the
// newest, "auto" the lowest version the live services of the topic report
// in their heartbeats, "1.0" that version (docs/rpc-protocol.md, section 7).
struct UpgradeLevelsSection {
  std::string compute;
  std::string conductor;
  std::string scheduler;
};

// [metrics]: where Prometheus scrapes /metrics (docs/operations.md, "Metrics").
// Neither is authenticated, as with most exporters: expose them to the
// monitoring network only.
struct MetricsSection {
  // "HOST:PORT" of a listener of its own serving GET /metrics for every role
  // of the process (port 0 picks a free one; the process prints it). Empty:
  // none.
  std::string listen;
  // Also serve GET /metrics on the REST API's port (api role), without a
  // token: for a deployment with one port behind a proxy that keeps
  // /metrics inside. Off by default: the API port faces the users.
  bool on_api_port = false;
};

// [database]: where the state lives (docs/database.md).
struct DatabaseSection {
  // Empty: SQLite in <data_dir>/stratus.db (the default). A URL such as
  // "postgresql://stratus@127.0.0.1:5432/stratus": that PostgreSQL database,
  // which several api, conductor and scheduler processes may share.
  std::string connection;
  // PostgreSQL: connections each process may hold at once (its api,
  // conductor and scheduler threads run transactions side by side, one per
  // connection). SQLite: read-only connections for read transactions, beside
  // its one writer. 1 to 64.
  std::int64_t pool_size = 4;
};

struct IdentitySection {
  // Seconds an identity token is valid (Keystone's [token] expiration).
  std::int64_t token_expiration = 3600;
};

struct Config {
  std::string host;                    // this node's name; default: the machine's hostname
  std::string data_dir = "stratus-data";
  std::string log_level = "info";      // trace, debug, info, warn, error, critical, off
  // Seconds without a heartbeat after which a service counts as down (Nova's service_down_time).
  double service_down_time = 60.0;
  ApiSection api;
  DatabaseSection database;
  IdentitySection identity;
  RpcSection rpc;
  PluginsSection plugins;
  ComputeSection compute;
  ImageSection image;
  SchedulerSection scheduler;
  UpgradeLevelsSection upgrade_levels;
  ConductorSection conductor;
  MetricsSection metrics;
  // [driver.<name>], [filter.<name>], [weigher.<name>]
  std::map<std::pair<sdk::PluginKind, std::string>, sdk::PluginConfig> plugin_tables;
  std::string source = "built-in defaults";  // the file it came from

  // The table for the `kind` plugin `name`, or an empty one that still names
  // its section.
  sdk::PluginConfig plugin_config(sdk::PluginKind kind, const std::string& name) const;
};

// Reads `file` (none: defaults only) and applies `overrides`, each "key=value"
// with a dotted key and a TOML value ("scheduler.weighers=[\"ram\"]"); a value
// that is not valid TOML is taken as a string ("host=node-1").
// kNotFound if the file is missing; kInvalidArgument naming the key and line
// for anything malformed. Nothing is half-applied: it returns a whole Config
// or an error.
sdk::Result<Config> load_config(const std::optional<std::filesystem::path>& file,
                                const std::vector<std::string>& overrides = {});

}  // namespace stratus::core
