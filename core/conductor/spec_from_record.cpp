#include "core/conductor/spec_from_record.h"

#include "core/db/image_repository.h"
#include "core/db/server_group_repository.h"

namespace stratus::core::conductor {

sdk::RequestSpec spec_from_record(db::Database& db, const db::InstanceRecord& r) {
  sdk::RequestSpec spec;
  spec.instance_uuid = r.uuid;
  spec.project_id = r.project_id;
  spec.user_id = r.user_id;
  spec.flavor = r.flavor;
  spec.num_instances = 1;
  spec.availability_zone = r.availability_zone;
  if (auto image = db::ImageRepository(db).get(r.image_ref); image.ok()) {
    spec.image = image->to_sdk();
  } else {
    spec.image.id = r.image_ref;
  }
  if (auto groups = db::ServerGroupRepository(db).groups_of(r.uuid); groups.ok() && !groups->empty()) {
    spec.instance_group = db::scheduling_view(db, groups->front());
  }
  return spec;
}

}  // namespace stratus::core::conductor
