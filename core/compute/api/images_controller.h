// ImagesController: Nova's image proxy, /v2.1/images, in Nova's shapes:
// list and detail (with Nova's filters, limit and marker), show, delete over
// the images the database knows, and /images/{id}/metadata
// (image_metadata_controller.h). A non-admin sees public and community images and its own
// project's; only the owner or an admin deletes, and never a protected image
// (Glance's 403, passed on as Nova does).
#pragma once

#include <functional>
#include <string>

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Removes an image's data when the proxy deletes the image (the image
// service's store); empty: the records have no data to remove.
using ImageDataRemover = std::function<sdk::Status(const std::string& image_id)>;

// Registers the image routes on `server`; `db` must outlive it.
void add_image_routes(ApiServer& server, db::Database& db, ImageDataRemover remove_data = {});

}  // namespace stratus::core::api
