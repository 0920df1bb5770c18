// TEST ONLY: endpoints that do what an attacker who exploited a bug in the server would do.
// Built into example_web_server_vulnerable (SYSGATE_EXAMPLE_VULNERABLE), never into the
// example itself; the tests show the policy stopping each. A denial by the fs or net rules is
// reported on stderr with the rules' reason (denials.h).
//   GET /vuln/exec?CMD        runs /bin/sh -c CMD
//   GET /vuln/write?PATH      creates PATH and writes to it
//   GET /vuln/connect?PORT    connects to 127.0.0.1:PORT and sends a line
//   GET /vuln/bind?PORT       binds a TCP socket to 127.0.0.1:PORT
//   GET /vuln/read?PATH       reads PATH, opened relative to the document root's fd (which the
//                             syscall rules allow: an absolute PATH ignores that fd)
#pragma once

#include "server.h"

namespace web {

bool VulnerableEndpoints(const Request& request, int* status, std::string* body);
inline int vulnerable_root_fd = -1;  // set by main

}  // namespace web
