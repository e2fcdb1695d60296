// The descriptor's name disagrees with its symbol: not made by STRATUS_PLUGIN.
#include "handmade_export.h"

HANDMADE_DESCRIPTOR(name_mismatch, ::stratus::sdk::kAbiVersion, ::stratus::sdk::PluginKind::kVirtDriver,
                    "something_else", STRATUS_SDK_STDLIB_TAG)
