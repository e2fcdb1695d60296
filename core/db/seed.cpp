#include "core/db/seed.h"

#include "core/db/flavor_repository.h"
#include "core/db/image_repository.h"
#include "core/db/network_repository.h"

namespace stratus::core::db {

using sdk::Status;

namespace {
// Creating what exists is not an error here; anything else is.
Status ignore_exists(const Status& st) { return st.is(sdk::StatusCode::kAlreadyExists) ? Status::OK() : st; }
}  // namespace

Status seed_default_flavors(Database& db) {
  struct Row {
    const char* id;
    const char* name;
    int vcpus;
    int ram;
    int disk;
  };
  FlavorRepository flavors(db);
  for (const Row& r : {Row{"1", "m1.tiny", 1, 512, 1}, Row{"2", "m1.small", 1, 2048, 20},
                       Row{"3", "m1.medium", 2, 4096, 40}, Row{"4", "m1.large", 4, 8192, 80},
                       Row{"5", "m1.xlarge", 8, 16384, 160}}) {
    FlavorRecord f;
    f.flavor.id = r.id;
    f.flavor.name = r.name;
    f.flavor.vcpus = r.vcpus;
    f.flavor.memory_mb = r.ram;
    f.flavor.root_gb = r.disk;
    auto st = ignore_exists(flavors.create(f).status());
    if (!st.ok()) return st;
  }
  return Status::OK();
}

Status seed_default_network(Database& db) {
  NetworkRecord n;
  n.uuid = kDefaultNetworkUuid;
  n.name = "private";
  n.shared = true;
  SubnetRecord s;
  s.uuid = kDefaultSubnetUuid;
  s.name = "private-subnet";
  s.cidr = "10.0.0.0/24";
  return ignore_exists(NetworkRepository(db).create(n, s).status());
}

Status seed_public_network(Database& db) {
  NetworkRecord n;
  n.uuid = kPublicNetworkUuid;
  n.name = "public";
  n.router_external = true;
  SubnetRecord s;
  s.uuid = kPublicSubnetUuid;
  s.name = "public-subnet";
  s.cidr = "172.24.4.0/24";
  return ignore_exists(NetworkRepository(db).create(n, s).status());
}

Status seed_default_image(Database& db) {
  ImageRecord i;
  i.id = kDefaultImageUuid;
  i.name = "cirros-0.6.2-x86_64-disk";
  i.disk_format = "qcow2";
  i.container_format = "bare";
  i.size = 21430272;
  i.checksum = "c8fc807773e5354afe61636071771906";
  i.properties = {{"hw_architecture", "x86_64"}, {"os_distro", "cirros"}};
  return ignore_exists(ImageRepository(db).create(i).status());
}

Status seed_defaults(Database& db) {
  for (auto* seed : {&seed_default_flavors, &seed_default_network, &seed_public_network, &seed_default_image}) {
    auto st = seed(db);
    if (!st.ok()) return st;
  }
  return Status::OK();
}

}  // namespace stratus::core::db
