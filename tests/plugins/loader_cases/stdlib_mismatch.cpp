// Built "with" another standard library: its std::string cannot cross over.
#include "handmade_export.h"

HANDMADE_DESCRIPTOR(stdlib_mismatch, ::stratus::sdk::kAbiVersion, ::stratus::sdk::PluginKind::kVirtDriver,
                    "stdlib_mismatch", "libc++/abi1")
