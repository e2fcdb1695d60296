#include "core/db/migrations.h"

#include <spdlog/spdlog.h>

#include "core/db/connection.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

namespace {

// Migration 1: the initial schema. Text columns the API sorts or filters on are
// NOT NULL DEFAULT '' so comparisons never meet NULL; nullable columns are the
// ones Nova shows as null (task_state, launched_at, ...). Times are UTC text,
// see time_util.h. Booleans are 0/1 integers.
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE instances (
  id                  {identity},
  uuid                TEXT NOT NULL UNIQUE,
  display_name        TEXT NOT NULL DEFAULT '',
  display_description TEXT,
  project_id          TEXT NOT NULL,
  user_id             TEXT NOT NULL,
  flavor_id           TEXT NOT NULL DEFAULT '',
  flavor_name         TEXT NOT NULL DEFAULT '',
  vcpus               INTEGER NOT NULL DEFAULT 0,
  memory_mb           INTEGER NOT NULL DEFAULT 0,
  root_gb             INTEGER NOT NULL DEFAULT 0,
  ephemeral_gb        INTEGER NOT NULL DEFAULT 0,
  swap_mb             INTEGER NOT NULL DEFAULT 0,
  rxtx_factor         REAL NOT NULL DEFAULT 1.0,
  flavor_extra_specs  TEXT NOT NULL DEFAULT '{}',
  image_ref           TEXT NOT NULL DEFAULT '',
  vm_state            TEXT NOT NULL,
  task_state          TEXT,
  power_state         INTEGER NOT NULL DEFAULT 0,
  host                TEXT NOT NULL DEFAULT '',
  node                TEXT NOT NULL DEFAULT '',
  launched_at         TEXT,
  terminated_at       TEXT,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  user_data           TEXT,
  key_name            TEXT,
  key_data            TEXT,
  availability_zone   TEXT NOT NULL DEFAULT '',
  reservation_id      TEXT NOT NULL DEFAULT '',
  launch_index        INTEGER NOT NULL DEFAULT 0,
  config_drive        INTEGER NOT NULL DEFAULT 0,
  locked              INTEGER NOT NULL DEFAULT 0,
  locked_reason       TEXT,
  deleted             INTEGER NOT NULL DEFAULT 0,
  deleted_at          TEXT
);
CREATE INDEX instances_project_deleted ON instances(project_id, deleted);
CREATE INDEX instances_host ON instances(host, deleted);
CREATE INDEX instances_updated_at ON instances(updated_at);
CREATE INDEX instances_created_at ON instances(created_at);
CREATE INDEX instances_reservation ON instances(reservation_id);

CREATE TABLE instance_metadata (
  instance_uuid TEXT NOT NULL REFERENCES instances(uuid) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  PRIMARY KEY (instance_uuid, key)
);

CREATE TABLE instance_faults (
  id            {identity},
  instance_uuid TEXT NOT NULL REFERENCES instances(uuid) ON DELETE CASCADE,
  code          INTEGER NOT NULL,
  message       TEXT NOT NULL,
  details       TEXT NOT NULL DEFAULT '',
  host          TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL
);
CREATE INDEX instance_faults_instance ON instance_faults(instance_uuid, id);

CREATE TABLE instance_actions (
  id            {identity},
  instance_uuid TEXT NOT NULL REFERENCES instances(uuid) ON DELETE CASCADE,
  action        TEXT NOT NULL,
  request_id    TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  project_id    TEXT NOT NULL,
  start_time    TEXT NOT NULL,
  finish_time   TEXT,
  message       TEXT,
  updated_at    TEXT NOT NULL,
  UNIQUE (instance_uuid, request_id)
);

CREATE TABLE instance_action_events (
  id          {identity},
  action_id   INTEGER NOT NULL REFERENCES instance_actions(id) ON DELETE CASCADE,
  event       TEXT NOT NULL,
  start_time  TEXT NOT NULL,
  finish_time TEXT,
  result      TEXT,
  traceback   TEXT,
  details     TEXT,
  host        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX instance_action_events_action ON instance_action_events(action_id, event);

CREATE TABLE flavors (
  id           {identity},
  flavorid     TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL UNIQUE,
  vcpus        INTEGER NOT NULL,
  memory_mb    INTEGER NOT NULL,
  root_gb      INTEGER NOT NULL DEFAULT 0,
  ephemeral_gb INTEGER NOT NULL DEFAULT 0,
  swap         INTEGER NOT NULL DEFAULT 0,
  rxtx_factor  REAL NOT NULL DEFAULT 1.0,
  is_public    INTEGER NOT NULL DEFAULT 1,
  disabled     INTEGER NOT NULL DEFAULT 0,
  description  TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);

CREATE TABLE flavor_extra_specs (
  flavor_id INTEGER NOT NULL REFERENCES flavors(id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (flavor_id, key)
);

CREATE TABLE images (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL DEFAULT 'active',
  visibility       TEXT NOT NULL DEFAULT 'public',
  disk_format      TEXT NOT NULL DEFAULT '',
  container_format TEXT NOT NULL DEFAULT '',
  size             INTEGER NOT NULL DEFAULT 0,
  checksum         TEXT NOT NULL DEFAULT '',
  min_ram          INTEGER NOT NULL DEFAULT 0,
  min_disk         INTEGER NOT NULL DEFAULT 0,
  owner            TEXT NOT NULL DEFAULT '',
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);

CREATE TABLE image_properties (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (image_id, key)
);

CREATE TABLE networks (
  id         {identity},
  uuid       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  cidr       TEXT NOT NULL,
  gateway    TEXT NOT NULL,
  project_id TEXT NOT NULL DEFAULT '',
  shared     INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- ip_int is the address as a number; UNIQUE(network_id, ip_int) is what makes
-- a double allocation impossible, whatever the allocator does.
CREATE TABLE ports (
  id          {identity},
  uuid        TEXT NOT NULL UNIQUE,
  network_id  INTEGER NOT NULL REFERENCES networks(id),
  mac_address TEXT NOT NULL UNIQUE,
  ip_address  TEXT NOT NULL,
  ip_int      INTEGER NOT NULL,
  device_id   TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL DEFAULT 'DOWN',
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (network_id, ip_int)
);
CREATE INDEX ports_device ON ports(device_id);

CREATE TABLE key_pairs (
  id          {identity},
  name        TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  public_key  TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  type        TEXT NOT NULL DEFAULT 'ssh',
  created_at  TEXT NOT NULL,
  UNIQUE (user_id, name)
);

CREATE TABLE server_groups (
  id                  {identity},
  uuid                TEXT NOT NULL UNIQUE,
  name                TEXT NOT NULL,
  project_id          TEXT NOT NULL,
  user_id             TEXT NOT NULL,
  policy              TEXT NOT NULL,
  max_server_per_host INTEGER,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);

CREATE TABLE server_group_members (
  group_id      INTEGER NOT NULL REFERENCES server_groups(id) ON DELETE CASCADE,
  instance_uuid TEXT NOT NULL,
  PRIMARY KEY (group_id, instance_uuid)
);
CREATE INDEX server_group_members_instance ON server_group_members(instance_uuid);

CREATE TABLE services (
  id              {identity},
  host            TEXT NOT NULL,
  "binary"        TEXT NOT NULL,
  topic           TEXT NOT NULL DEFAULT '',
  disabled        INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  forced_down     INTEGER NOT NULL DEFAULT 0,
  last_seen_up    TEXT,
  report_count    INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (host, "binary")
);

CREATE TABLE compute_nodes (
  id                    {identity},
  uuid                  TEXT NOT NULL UNIQUE,
  host                  TEXT NOT NULL,
  hypervisor_hostname   TEXT NOT NULL UNIQUE,
  hypervisor_type       TEXT NOT NULL DEFAULT '',
  hypervisor_version    INTEGER NOT NULL DEFAULT 0,
  cpu_info              TEXT NOT NULL DEFAULT '{}',
  vcpus                 INTEGER NOT NULL DEFAULT 0,
  memory_mb             INTEGER NOT NULL DEFAULT 0,
  local_gb              INTEGER NOT NULL DEFAULT 0,
  vcpus_used            INTEGER NOT NULL DEFAULT 0,
  memory_mb_used        INTEGER NOT NULL DEFAULT 0,
  local_gb_used         INTEGER NOT NULL DEFAULT 0,
  running_vms           INTEGER NOT NULL DEFAULT 0,
  cpu_allocation_ratio  REAL NOT NULL DEFAULT 4.0,
  ram_allocation_ratio  REAL NOT NULL DEFAULT 1.0,
  disk_allocation_ratio REAL NOT NULL DEFAULT 1.0,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL
);
CREATE INDEX compute_nodes_host ON compute_nodes(host);

-- One allocation per instance (Nova's placement consumer). The usage columns
-- of compute_nodes are the sum of its allocations, kept in the same transaction.
CREATE TABLE allocations (
  instance_uuid   TEXT PRIMARY KEY,
  compute_node_id INTEGER NOT NULL REFERENCES compute_nodes(id) ON DELETE CASCADE,
  vcpus           INTEGER NOT NULL,
  memory_mb       INTEGER NOT NULL,
  disk_gb         INTEGER NOT NULL,
  created_at      TEXT NOT NULL
);
CREATE INDEX allocations_node ON allocations(compute_node_id);

-- Per-project limits; quota_classes holds the deployment's defaults
-- (class 'default'), overriding the built-in ones. -1 means unlimited.
CREATE TABLE quotas (
  project_id TEXT NOT NULL,
  resource   TEXT NOT NULL,
  hard_limit INTEGER NOT NULL,
  PRIMARY KEY (project_id, resource)
);
CREATE TABLE quota_classes (
  class_name TEXT NOT NULL,
  resource   TEXT NOT NULL,
  hard_limit INTEGER NOT NULL,
  PRIMARY KEY (class_name, resource)
);
)sql";

// Migration 2: subnets (Neutron's), out of the networks table. Each existing
// network's cidr and gateway become its one subnet "<name>-subnet" (with a
// random version-4 uuid), every port records the subnet its address came
// from, and networks gain the attributes Neutron shows. An empty pool_start
// and pool_end mean the whole host range of the cidr; an empty gateway means
// none.
constexpr const char* kSubnetsSchema = R"sql(
CREATE TABLE subnets (
  id              {identity},
  uuid            TEXT NOT NULL UNIQUE,
  network_id      INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  name            TEXT NOT NULL DEFAULT '',
  description     TEXT NOT NULL DEFAULT '',
  project_id      TEXT NOT NULL DEFAULT '',
  cidr            TEXT NOT NULL,
  gateway         TEXT NOT NULL DEFAULT '',
  pool_start      TEXT NOT NULL DEFAULT '',
  pool_end        TEXT NOT NULL DEFAULT '',
  dns_nameservers TEXT NOT NULL DEFAULT '',
  enable_dhcp     INTEGER NOT NULL DEFAULT 1,
  revision_number INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX subnets_network ON subnets(network_id);

INSERT INTO subnets(uuid, network_id, name, project_id, cidr, gateway, created_at, updated_at)
SELECT {random_uuid},
       id, name || '-subnet', project_id, cidr, gateway, created_at, updated_at
FROM networks ORDER BY id;

ALTER TABLE networks DROP COLUMN cidr;
ALTER TABLE networks DROP COLUMN gateway;
ALTER TABLE networks ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN router_external INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN admin_state_up INTEGER NOT NULL DEFAULT 1;
ALTER TABLE networks ADD COLUMN mtu INTEGER NOT NULL DEFAULT 1500;
ALTER TABLE networks ADD COLUMN revision_number INTEGER NOT NULL DEFAULT 1;

ALTER TABLE ports ADD COLUMN subnet_id INTEGER REFERENCES subnets(id);
UPDATE ports SET subnet_id = (SELECT s.id FROM subnets s WHERE s.network_id = ports.network_id);
CREATE INDEX ports_subnet ON ports(subnet_id);
)sql";

// Migration 3: the identity service (a Keystone v3 subset, core/identity).
// One domain ("default") for now, kept as a column so names stay unique per
// domain as Keystone's are. Passwords are libsodium pwhash strings; a token
// row is keyed by the SHA-256 of the token, never the token itself, and
// carries the roles it was issued with. Roles admin, member and reader exist
// from the start, as `keystone-manage bootstrap` creates them.
constexpr const char* kIdentitySchema = R"sql(
CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  domain_id   TEXT NOT NULL DEFAULT 'default',
  description TEXT NOT NULL DEFAULT '',
  enabled     INTEGER NOT NULL DEFAULT 1,
  created_at  TEXT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  domain_id     TEXT NOT NULL DEFAULT 'default',
  password_hash TEXT NOT NULL,
  enabled       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE TABLE roles (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO roles(id, name) VALUES ({random_hex32}, 'admin');
INSERT INTO roles(id, name) VALUES ({random_hex32}, 'member');
INSERT INTO roles(id, name) VALUES ({random_hex32}, 'reader');
CREATE TABLE role_assignments (
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  role_id    TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, project_id, role_id)
);
CREATE INDEX role_assignments_project ON role_assignments(project_id);
CREATE TABLE tokens (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id TEXT REFERENCES projects(id) ON DELETE CASCADE,
  roles      TEXT NOT NULL DEFAULT '',
  methods    TEXT NOT NULL DEFAULT 'password',
  audit_id   TEXT NOT NULL DEFAULT '',
  issued_at  TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_expires_at ON tokens(expires_at);
)sql";

// Migration 4: what the image service (Glance v2) keeps beyond the proxy's
// fields: "protected", the second hash of the data (os_hash_algo/value) and
// tags (a set of strings per image).
constexpr const char* kImageServiceSchema = R"sql(
ALTER TABLE images ADD COLUMN protected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN os_hash_algo TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN os_hash_value TEXT NOT NULL DEFAULT '';

CREATE TABLE image_tags (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  tag      TEXT NOT NULL,
  PRIMARY KEY (image_id, tag)
);
)sql";

// Migration 5: what lets the read-then-write patterns hold with several
// writers (docs/database.md, "Race-proof patterns").
// - lock_keys: one row per thing whose limit is checked by counting other rows
//   (a project's instance quota, a user's key pairs). Upserting it first makes
//   concurrent writers of the same key queue on that row (a row lock where
//   the backend has them; SQLite's single writer anyway), so the count that
//   follows sees every committed competitor.
// - server_group_members.position: the members' order, which was SQLite's
//   rowid (no such thing elsewhere). Existing members are ordered by their
//   instances' ids, which is the order they were added in at create.
constexpr const char* kRaceProofSchema = R"sql(
CREATE TABLE lock_keys (
  scope    TEXT NOT NULL,
  name     TEXT NOT NULL,
  bumps    BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, name)
);

ALTER TABLE server_group_members ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
UPDATE server_group_members SET position =
  COALESCE((SELECT id FROM instances WHERE uuid = server_group_members.instance_uuid), 0);
)sql";

// Migration 11: what the Keystone v3 admin API keeps beyond names
// (core/identity/api/identity_resources_controller.cpp). A user's
// default_project_id is not a foreign key: Keystone keeps it when the project
// is deleted. `extra` holds the attributes Keystone stores unmodelled (a
// user's email and description, any other property a client sends), as a
// JSON object. Roles made over the API may carry a description.
constexpr const char* kIdentityAdminSchema = R"sql(
ALTER TABLE users ADD COLUMN default_project_id TEXT;
ALTER TABLE users ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
ALTER TABLE projects ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
ALTER TABLE roles ADD COLUMN description TEXT;
)sql";

// Migration 16: domains and application credentials (Keystone's).
// - domains: until now every user and project was in the one domain
//   "default" (their domain_id column); that domain becomes a row beside the
//   ones admins make. Users and projects keep domain_id as it was (not a
//   foreign key: SQLite cannot add one to an existing column); the identity
//   layer checks the domain exists and deletes a domain's users and projects
//   with it (core/identity/domains.h).
// - application_credentials (core/identity/application_credentials.h): the
//   secret is kept only as its libsodium pwhash string; `roles` is the
//   granted subset as "id:name,..." (as tokens keep theirs); expires_at is
//   NULL for one that never expires. A token issued through one names it,
//   and goes with it when it is deleted (Keystone revokes them). A user's and
//   a project's credentials go with them.
constexpr const char* kDomainsAndApplicationCredentialsSchema = R"sql(
CREATE TABLE domains (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  enabled     INTEGER NOT NULL DEFAULT 1,
  extra       TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO domains(id, name, description, enabled) VALUES ('default', 'Default', 'The default domain', 1);
CREATE TABLE application_credentials (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  secret_hash  TEXT NOT NULL,
  description  TEXT,
  roles        TEXT NOT NULL DEFAULT '',
  unrestricted INTEGER NOT NULL DEFAULT 0,
  expires_at   TEXT,
  created_at   TEXT NOT NULL,
  UNIQUE (user_id, name)
);
ALTER TABLE tokens ADD COLUMN application_credential_id TEXT
  REFERENCES application_credentials(id) ON DELETE CASCADE;
)sql";

// Migration 6: host aggregates (Nova's aggregates, aggregate_hosts and
// aggregate_metadata). A host's availability zone is the "availability_zone"
// metadata of an aggregate it is in; names are unique, as Nova's API database
// has them.
constexpr const char* kAggregatesSchema = R"sql(
CREATE TABLE aggregates (
  id         {identity},
  uuid       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE TABLE aggregate_hosts (
  aggregate_id BIGINT NOT NULL REFERENCES aggregates(id) ON DELETE CASCADE,
  host         TEXT NOT NULL,
  PRIMARY KEY (aggregate_id, host)
);
CREATE INDEX aggregate_hosts_host ON aggregate_hosts(host);
CREATE TABLE aggregate_metadata (
  aggregate_id BIGINT NOT NULL REFERENCES aggregates(id) ON DELETE CASCADE,
  key          TEXT NOT NULL,
  value        TEXT NOT NULL,
  PRIMARY KEY (aggregate_id, key)
);
)sql";
// Migration 8: security groups and floating IPs (Neutron's securitygroups,
// securitygrouprules, securitygroupportbindings and floatingips). A rule's
// protocol is kept as given (a name or a number), NULL meaning any, as are
// unset ports, prefix and remote group. One "default" group per project
// (the partial unique index). A floating IP holds an address through a port
// of the external network (floating_port_id), as Neutron's does; port_id is
// the port it is associated with (NULL: none).
constexpr const char* kSecurityGroupsSchema = R"sql(
CREATE TABLE security_groups (
  id              {identity},
  uuid            TEXT NOT NULL UNIQUE,
  project_id      TEXT NOT NULL,
  name            TEXT NOT NULL DEFAULT '',
  description     TEXT NOT NULL DEFAULT '',
  is_default      INTEGER NOT NULL DEFAULT 0,
  revision_number INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX security_groups_project ON security_groups(project_id);
CREATE UNIQUE INDEX security_groups_one_default ON security_groups(project_id) WHERE is_default = 1;

CREATE TABLE security_group_rules (
  id                {identity},
  uuid              TEXT NOT NULL UNIQUE,
  security_group_id INTEGER NOT NULL REFERENCES security_groups(id) ON DELETE CASCADE,
  project_id        TEXT NOT NULL,
  direction         TEXT NOT NULL,
  ethertype         TEXT NOT NULL,
  protocol          TEXT,
  port_range_min    INTEGER,
  port_range_max    INTEGER,
  remote_ip_prefix  TEXT,
  remote_group_id   INTEGER REFERENCES security_groups(id) ON DELETE CASCADE,
  description       TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
CREATE INDEX security_group_rules_group ON security_group_rules(security_group_id);
CREATE INDEX security_group_rules_remote ON security_group_rules(remote_group_id);
CREATE INDEX security_group_rules_project ON security_group_rules(project_id);

CREATE TABLE port_security_groups (
  port_id           INTEGER NOT NULL REFERENCES ports(id) ON DELETE CASCADE,
  security_group_id INTEGER NOT NULL REFERENCES security_groups(id),
  position          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (port_id, security_group_id)
);
CREATE INDEX port_security_groups_group ON port_security_groups(security_group_id);

CREATE TABLE floatingips (
  id                  {identity},
  uuid                TEXT NOT NULL UNIQUE,
  project_id          TEXT NOT NULL,
  floating_port_id    INTEGER NOT NULL UNIQUE REFERENCES ports(id) ON DELETE CASCADE,
  port_id             INTEGER UNIQUE REFERENCES ports(id) ON DELETE SET NULL,
  description         TEXT NOT NULL DEFAULT '',
  revision_number     INTEGER NOT NULL DEFAULT 1,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE INDEX floatingips_project ON floatingips(project_id);
)sql";
// Migration 10: Nova's instance_system_metadata, the instance's key/value
// pairs users neither see nor set. The first user is the server password a
// guest posts (Nova's "password_0".."password_3", 255 characters each).
constexpr const char* kSystemMetadataSchema = R"sql(
CREATE TABLE instance_system_metadata (
  instance_uuid TEXT NOT NULL REFERENCES instances(uuid) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  PRIMARY KEY (instance_uuid, key)
);
)sql";
// Migration 9 (servers at microversion 2.93): what Nova keeps on an
// instance that the API shows or takes from 2.3 on: OS-DCF:diskConfig
// (auto_disk_config), accessIPv4/v6, the guest hostname (2.3, settable
// from 2.90), trusted image certificate ids (2.63, a JSON array or NULL),
// who holds the lock (Nova's locked_by: 'owner' or 'admin'), and server
// tags (2.26), one row per tag as Nova's tags table.
constexpr const char* kServersMicroversionsSchema = R"sql(
ALTER TABLE instances ADD COLUMN auto_disk_config INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN access_ip_v4 TEXT;
ALTER TABLE instances ADD COLUMN access_ip_v6 TEXT;
ALTER TABLE instances ADD COLUMN hostname TEXT NOT NULL DEFAULT '';
ALTER TABLE instances ADD COLUMN trusted_certs TEXT;
ALTER TABLE instances ADD COLUMN locked_by TEXT;

CREATE TABLE instance_tags (
  instance_uuid TEXT NOT NULL REFERENCES instances(uuid) ON DELETE CASCADE,
  tag           TEXT NOT NULL,
  PRIMARY KEY (instance_uuid, tag)
);
CREATE INDEX instance_tags_tag ON instance_tags(tag);
)sql";
// Migration 13 (issue #21): the virt driver's capabilities and the
// supported instances (arch, hypervisor type, vm mode) each node last
// reported (sdk::DriverCapabilities as a JSON object, capabilities_codec.h),
// which the API reads to refuse what the instance's host cannot do before it
// casts, and the schedulers read when they load nodes from the database.
// NULL: the node has not reported since the column was added (nothing is
// refused on its account until it does).
constexpr const char* kDriverCapabilitiesSchema = R"sql(
ALTER TABLE compute_nodes ADD COLUMN capabilities TEXT;
ALTER TABLE compute_nodes ADD COLUMN supported_instances TEXT;
)sql";
// Migration 7: private flavors' project access (Nova's flavor_projects): a
// project listed here may see and boot the private flavor.
constexpr const char* kFlavorAccessSchema = R"sql(
CREATE TABLE flavor_projects (
  flavor_id  INTEGER NOT NULL REFERENCES flavors(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL,
  PRIMARY KEY (flavor_id, project_id)
);
)sql";

// Migration 12: per-user quotas (Nova's project_user_quotas): a user's own
// limit within a project, set with os-quota-sets ?user_id=. A resource
// without a row here falls back to the project's limit (quotas), then to
// the default class.
constexpr const char* kProjectUserQuotasSchema = R"sql(
CREATE TABLE project_user_quotas (
  project_id TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  resource   TEXT NOT NULL,
  hard_limit INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id, resource)
);
)sql";

// Migration 15: the newest RPC version each service serves, from its
// heartbeat (docs/rpc-protocol.md, "Method versions"), for the typed
// clients' [upgrade_levels] auto cap.
constexpr const char* kServiceVersionsSchema = R"sql(
CREATE TABLE service_versions (
  host        TEXT NOT NULL,
  "binary"    TEXT NOT NULL,
  rpc_version TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (host, "binary")
);
)sql";

// Migration 17: the Network API's own writes (docs/network.md). Ports made
// through POST /ports keep their owner, name, description, device_owner,
// admin state and port security here, and preserve_on_delete = 1 marks them
// as the user's: deleting the server they are bound to unbinds them instead
// of freeing them, as Nova does for ports it did not create. Routers and
// their gateway network; a router's interfaces are ports whose device_id is
// the router's uuid. network_quotas holds a project's limits that differ
// from Neutron's defaults (network_quota_repository.h).
constexpr const char* kNetworkApiWritesSchema = R"sql(
ALTER TABLE ports ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE ports ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE ports ADD COLUMN project_id TEXT NOT NULL DEFAULT '';
ALTER TABLE ports ADD COLUMN device_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE ports ADD COLUMN admin_state_up INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ports ADD COLUMN port_security_enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ports ADD COLUMN preserve_on_delete INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ports_project ON ports(project_id);

CREATE TABLE routers (
  id                 {identity},
  uuid               TEXT NOT NULL UNIQUE,
  project_id         TEXT NOT NULL,
  name               TEXT NOT NULL DEFAULT '',
  description        TEXT NOT NULL DEFAULT '',
  admin_state_up     INTEGER NOT NULL DEFAULT 1,
  gateway_network_id INTEGER REFERENCES networks(id),
  revision_number    INTEGER NOT NULL DEFAULT 1,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);
CREATE INDEX routers_project ON routers(project_id);

CREATE TABLE network_quotas (
  project_id TEXT NOT NULL,
  resource   TEXT NOT NULL,
  hard_limit INTEGER NOT NULL,
  PRIMARY KEY (project_id, resource)
);
)sql";

// Migration 18: leases on the periodic tasks that must run on one controller
// at a time (periodic_lease_repository.h): the stuck-instance sweep of the
// conductors. One row per task: who holds it, since when, and until when
// (stored UTC text, which sorts as time does; each holder's clock decides).
constexpr const char* kPeriodicLeasesSchema = R"sql(
CREATE TABLE periodic_leases (
  name        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  renewed_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL
);
)sql";

// Issue #16, 100,000 instances: a project's page of servers (newest first,
// id breaking ties) read in index order instead of sorting every live
// instance of the project; the quota count (COUNT, SUM of vcpus and
// memory_mb of a project's live instances, on every create) answered from
// the index alone, without reading each instance's row.
constexpr const char* kScaleIndexesSchema = R"sql(
CREATE INDEX instances_project_created ON instances(project_id, deleted, created_at, id);
CREATE INDEX instances_project_usage ON instances(project_id, deleted, user_id, vcpus, memory_mb);
)sql";

}  // namespace

const std::vector<Migration>& builtin_migrations() {
  static const std::vector<Migration> migrations = {
      {1, "initial schema", kInitialSchema},
      {2, "subnets", kSubnetsSchema},
      {3, "identity", kIdentitySchema},
      {4, "image service", kImageServiceSchema},
      {5, "race-proof writes", kRaceProofSchema},
      {6, "host aggregates", kAggregatesSchema},
      {7, "flavor access", kFlavorAccessSchema},
      {8, "security groups and floating IPs", kSecurityGroupsSchema},
      {9, "servers microversions (2.3-2.93)", kServersMicroversionsSchema},
      {10, "instance system metadata", kSystemMetadataSchema},
      {11, "identity admin API", kIdentityAdminSchema},
      {12, "per-user quotas", kProjectUserQuotasSchema},
      {13, "driver capabilities of compute nodes", kDriverCapabilitiesSchema},
      {15, "service RPC versions", kServiceVersionsSchema},
      {16, "domains and application credentials", kDomainsAndApplicationCredentialsSchema},
      {17, "network API writes: user ports, routers, network quotas", kNetworkApiWritesSchema},
      {18, "periodic task leases", kPeriodicLeasesSchema},
      {23, "indexes for 100,000 instances: project listing, quota usage", kScaleIndexesSchema},
  };
  return migrations;
}

int schema_version(Connection& conn) {
  auto st = conn.prepare("read schema version", "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!st.ok()) return 0;
  auto row = st->step();
  return row.ok() && *row ? static_cast<int>(st->int64(0)) : 0;
}

namespace {
// Whether migration `number` is recorded as applied.
sdk::Result<bool> is_applied(Connection& conn, int number) {
  auto st = conn.prepare("read applied migration", "SELECT 1 FROM schema_migrations WHERE version = ?");
  if (!st.ok()) return st.status();
  st->bind_all(number);
  auto row = st->step();
  if (!row.ok()) return row.status();
  return *row;
}
}  // namespace

sdk::Status migrate(Connection& conn, const std::vector<Migration>& migrations) {
  // Numbers increase but may leave gaps: migrations are numbered when they
  // are written, on branches merged in any order, and each one missing from
  // schema_migrations is applied, in number order.
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].number < 1 || (i > 0 && migrations[i].number <= migrations[i - 1].number)) {
      return sdk::Status::InvalidArgument("migration numbers must increase from 1: entry " + std::to_string(i) +
                                          " is number " + std::to_string(migrations[i].number));
    }
  }
  const Dialect& dialect = conn.dialect();
  const std::string create_table =
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
  sdk::Status st;
  if (dialect.migration_lock.empty()) {
    st = conn.exec_script("create schema_migrations", create_table);
  } else {
    // Two openers of a fresh database would both create the table: under the lock, one does.
    st = conn.exec("begin migration", std::string(dialect.begin_write));
    if (st.ok()) st = conn.exec("lock migrations", std::string(dialect.migration_lock));
    if (st.ok()) st = conn.exec_script("create schema_migrations", create_table);
    auto end = conn.exec("end migration", st.ok() ? "COMMIT" : "ROLLBACK");
    if (st.ok()) st = end;
  }
  if (!st.ok()) return st;
  const int known = migrations.empty() ? 0 : migrations.back().number;
  for (;;) {
    // One migration per transaction; what is applied is re-read under the
    // write lock, so a concurrent opener that got there first is simply followed.
    st = conn.exec("begin migration", std::string(dialect.begin_write));
    if (!st.ok()) return st;
    if (!dialect.migration_lock.empty()) {
      st = conn.exec("lock migrations", std::string(dialect.migration_lock));
      if (!st.ok()) {
        (void)conn.exec("end migration", "ROLLBACK");
        return st;
      }
    }
    int current = schema_version(conn);
    if (current > known) {
      (void)conn.exec("end migration", "ROLLBACK");
      return sdk::Status::InvalidState("database schema version " + std::to_string(current) +
                                       " is newer than this Stratus supports (" + std::to_string(known) +
                                       "); run a newer Stratus or restore an older database");
    }
    const Migration* next = nullptr;
    for (const Migration& m : migrations) {
      auto applied = is_applied(conn, m.number);
      if (!applied.ok()) {
        (void)conn.exec("end migration", "ROLLBACK");
        return applied.status();
      }
      if (!*applied) {
        next = &m;
        break;
      }
    }
    if (next == nullptr) return conn.exec("end migration", "COMMIT");
    const Migration& m = *next;
    std::string what = "migration " + std::to_string(m.number) + " (" + m.name + ")";
    st = conn.exec_script(what, dialect.expand(m.sql));
    if (st.ok()) {
      st = conn.exec("record " + what, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                     m.number, m.name, common::utc_now());
    }
    if (!st.ok()) {
      (void)conn.exec("end migration", "ROLLBACK");
      return st;
    }
    st = conn.exec("commit " + what, "COMMIT");
    if (!st.ok()) return st;
    spdlog::info("database: applied {}", what);
  }
}

}  // namespace stratus::core::db
