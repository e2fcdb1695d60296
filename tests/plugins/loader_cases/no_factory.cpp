// A descriptor without its factory symbol.
#include "handmade_export.h"

HANDMADE_DESCRIPTOR(no_factory, ::stratus::sdk::kAbiVersion, ::stratus::sdk::PluginKind::kVirtDriver, "no_factory",
                    STRATUS_SDK_STDLIB_TAG)
