// SYSGATE_ASAN: 1 in a build with AddressSanitizer (make asan, make fuzz), 0 otherwise. GCC
// says so with __SANITIZE_ADDRESS__, clang only through __has_feature.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define SYSGATE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYSGATE_ASAN 1
#endif
#endif
#ifndef SYSGATE_ASAN
#define SYSGATE_ASAN 0
#endif
