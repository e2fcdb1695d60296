// Claims an ABI older than any supported: the loader must say the plugin is older.
#include "handmade_export.h"

HANDMADE_DESCRIPTOR(abi_older, ::stratus::sdk::kMinSupportedAbiVersion - 1, ::stratus::sdk::PluginKind::kVirtDriver,
                    "abi_older", STRATUS_SDK_STDLIB_TAG)
