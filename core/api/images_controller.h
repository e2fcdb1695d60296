// ImagesController: Nova's image proxy, /v2.1/images, in Nova's shapes at
// microversion 2.1: list, detail, show, delete over the images the database
// knows. A non-admin sees public images and its own project's; only the
// owner or an admin deletes.
#pragma once

#include "core/api/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the image routes on `server`; `db` must outlive it.
void add_image_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
