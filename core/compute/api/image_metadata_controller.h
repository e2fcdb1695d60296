// ImageMetadataController: /v2.1/images/{id}/metadata, Nova's proxy for an
// image's properties (up to microversion 2.38; 404 from 2.39, as Nova): list,
// merge (POST), replace (PUT), and one key's show, set (PUT) and delete.
// Only the image's owner or an admin may change it (Glance's 403 "Not
// authorized", passed on); more properties than the project's
// metadata_items quota is Nova's 403 "Image metadata limit exceeded".
#pragma once

#include "core/db/database.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_image_metadata_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
