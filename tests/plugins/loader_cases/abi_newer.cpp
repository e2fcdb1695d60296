// Claims an ABI from the future: the loader must say the plugin is newer.
#include "handmade_export.h"

HANDMADE_DESCRIPTOR(abi_newer, ::stratus::sdk::kAbiVersion + 1, ::stratus::sdk::PluginKind::kVirtDriver,
                    "abi_newer", STRATUS_SDK_STDLIB_TAG)
