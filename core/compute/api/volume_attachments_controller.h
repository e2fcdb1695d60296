// /v2.1/servers/{id}/os-volume_attachments (Nova's
// os-volumes-attachments) in a cloud without a volume service: a server
// has no volume attached, so the list is empty and every named volume is
// unknown, answered as Nova answers when Cinder knows no such volume.
//
//   GET    .../os-volume_attachments          200 {"volumeAttachments": []}
//   GET    .../os-volume_attachments/{vol}    404 "Instance S is not attached to volume V"
//   POST   .../os-volume_attachments          404 "Volume V could not be found." (body checked first)
//   PUT    .../os-volume_attachments/{vol}    404 "Volume V could not be found."
//   DELETE .../os-volume_attachments/{vol}    404 "Volume V could not be found."
//
// The server is looked up first (404 for one the caller cannot see), then
// the policy (os_compute_api:os-volumes-attachments:*), as in Nova.
#pragma once

#include "core/compute/api/compute_api.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_volume_attachment_routes(ApiServer& server, compute::ComputeAPI& compute);

}  // namespace stratus::core::api
