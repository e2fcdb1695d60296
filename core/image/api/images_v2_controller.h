// The image service: a Glance v2 subset under /image on the API port.
//
//   GET    /image, /image/v2            versions document (public)
//   GET    /image/v2/images             list: name, visibility, status, owner
//                                       filters; limit/marker with a next link;
//                                       sort_key/sort_dir
//   POST   /image/v2/images             create (status queued)
//   GET    /image/v2/images/{id}        show
//   PATCH  /image/v2/images/{id}        JSON patch (openstack-images-v2.1-json-patch)
//   DELETE /image/v2/images/{id}        delete record and data (403 if protected)
//   PUT    /image/v2/images/{id}/file   upload, streamed to the ImageStore
//   GET    /image/v2/images/{id}/file   download, streamed (204 without data)
//   PUT    /image/v2/images/{id}/tags/{tag}, DELETE the same: one tag
//   GET    /image/v2/schemas/image(s)   minimal schemas for clients that ask
//
// Replies and errors in Glance's shapes ({"code", "title", "message"} for
// errors). A member sees public images, community ones by id, and its own
// project's; others' private images answer 404. See docs/image.md.
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"
#include "core/image/image_store.h"

namespace stratus::core::image {

// Registers the routes on `server`; `db` and `store` must outlive it. The
// server's max_upload_bytes should be at least store.max_image_size().
void add_image_service_routes(api::ApiServer& server, db::Database& db, ImageStore& store);

}  // namespace stratus::core::image
