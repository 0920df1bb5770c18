// run --log's reading of the kernel's records (kernel_denials.h), fed with records of the shapes
// this kernel sent: which denials are the run's, grouped with their call, and what a program
// cannot make the reader take for the run's or hold without bound.
#include "kernel_denials.h"

#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sysgate/limits.h"

namespace sysgate::cli {
namespace {

constexpr uint16_t kAccess = 1423, kDomain = 1424, kSyscall = 1300, kProctitle = 1327,
                   kEnd = 1320, kUser = 1107;
const std::string kExe = "/usr/bin/sysgate";

std::string Stamp(int serial) { return fmt::format("audit(1796579439.399:{}): ", serial); }

std::string Access(int serial, std::string_view domain, std::string_view path) {
  return Stamp(serial) +
         fmt::format("domain={} blockers=fs.read_file path=\"{}\" dev=\"vda\" ino=10953748",
                     domain, path);
}

std::string Allocated(int serial, std::string_view domain, int pid, std::string_view exe) {
  return Stamp(serial) +
         fmt::format("domain={} status=allocated mode=enforcing pid={} uid=0 exe=\"{}\" "
                     "comm=\"sysgate\"",
                     domain, pid, exe);
}

std::string Freed(int serial, std::string_view domain) {
  return Stamp(serial) + fmt::format("domain={} status=deallocated denials=1", domain);
}

std::string Call(int serial, int pid) {
  return Stamp(serial) +
         fmt::format("arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=55b44c0b7b10 "
                     "a2=80000 a3=0 items=0 ppid=1 pid={} auid=4294967295 uid=0 gid=0 euid=0 "
                     "suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 "
                     "comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)",
                     pid);
}

// The records of one denial as the kernel sends them, the domain's record with its first.
std::vector<KernelDenial> Event(DomainDenials& d, int serial, std::string_view domain, int maker,
                                std::string_view exe, bool first, int caller) {
  EXPECT_TRUE(d.Add(kAccess, Access(serial, domain, "/etc/shadow")).empty());
  if (first) {
    EXPECT_TRUE(d.Add(kDomain, Allocated(serial, domain, maker, exe)).empty());
  }
  EXPECT_TRUE(d.Add(kSyscall, Call(serial, caller)).empty());
  EXPECT_TRUE(d.Add(kProctitle, Stamp(serial) + "proctitle=636174").empty());
  return d.Add(kEnd, Stamp(serial));
}

TEST(DomainDenials, TheRunsDenialIsGivenWithItsCallWhenItsEventEnds) {
  DomainDenials d(kExe);
  d.Expect(3338);
  auto out = Event(d, 7615, "1d54f3184", 3338, kExe, /*first=*/true, 3338);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].access.path, "/etc/shadow");
  EXPECT_EQ(out[0].access.domain, 0x1d54f3184U);
  ASSERT_TRUE(out[0].call);
  EXPECT_EQ(out[0].call->syscall, 257);
  EXPECT_EQ(out[0].call->pid, 3338);
  // Later denials name the domain alone; a descendant's too.
  out = Event(d, 7616, "1d54f3184", 0, kExe, /*first=*/false, 4000);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].call->pid, 4000);
  EXPECT_FALSE(d.AllEnded());
  EXPECT_TRUE(d.Add(kDomain, Freed(7700, "1d54f3184")).empty());
  EXPECT_TRUE(d.AllEnded());
}

TEST(DomainDenials, OtherDomainsAreNotTheRuns) {
  DomainDenials d(kExe);
  d.Expect(3338);
  // Another process's domain.
  EXPECT_TRUE(Event(d, 1, "aa", 999, kExe, true, 999).empty());
  // A domain the program made itself, after its exec: the same pid, its own executable.
  EXPECT_TRUE(Event(d, 2, "bb", 3338, "/usr/bin/cat", true, 3338).empty());
  // A pid not expected yet.
  EXPECT_TRUE(Event(d, 3, "cc", 4242, kExe, true, 4242).empty());
  EXPECT_FALSE(d.AnyOurs());
  EXPECT_FALSE(d.AllEnded());
  // And the freeing of one not the run's changes nothing.
  EXPECT_TRUE(d.Add(kDomain, Freed(9, "aa")).empty());
  EXPECT_FALSE(d.AllEnded());
}

TEST(DomainDenials, OnlyTheHeadersTypeMakesARecord) {
  DomainDenials d(kExe);
  d.Expect(3338);
  // A user message's text, which any program may have the kernel send (AUDIT_USER_*), holding
  // what would be the run's domain and denial: its type is a user message's.
  EXPECT_TRUE(d.Add(kUser, "type=1424 " + Allocated(5, "dd", 3338, kExe)).empty());
  EXPECT_TRUE(d.Add(kUser, Allocated(5, "dd", 3338, kExe)).empty());
  EXPECT_TRUE(d.Add(kUser, Access(5, "dd", "/etc/shadow")).empty());
  EXPECT_TRUE(d.Add(kEnd, Stamp(5)).empty());
  EXPECT_FALSE(d.AnyOurs());
  EXPECT_TRUE(d.Flush().empty());
}

TEST(DomainDenials, InterleavedEventsKeepTheirOwnCalls) {
  DomainDenials d(kExe);
  d.Expect(10);
  ASSERT_TRUE(Event(d, 1, "e1", 10, kExe, true, 10).size() == 1);
  EXPECT_TRUE(d.Add(kAccess, Access(2, "e1", "/a")).empty());
  EXPECT_TRUE(d.Add(kAccess, Access(3, "e1", "/b")).empty());
  EXPECT_TRUE(d.Add(kSyscall, Call(3, 33)).empty());
  EXPECT_TRUE(d.Add(kSyscall, Call(2, 22)).empty());
  auto three = d.Add(kEnd, Stamp(3));
  ASSERT_EQ(three.size(), 1U);
  EXPECT_EQ(three[0].access.path, "/b");
  EXPECT_EQ(three[0].call->pid, 33);
  auto two = d.Add(kEnd, Stamp(2));
  ASSERT_EQ(two.size(), 1U);
  EXPECT_EQ(two[0].call->pid, 22);
}

TEST(DomainDenials, EventsWithoutAnEndAreGivenOutAtTheFlush) {
  DomainDenials d(kExe);
  d.Expect(10);
  // A record made outside a syscall: no SYSCALL or EOE record, and its own serial.
  EXPECT_TRUE(d.Add(kAccess, Access(1, "f1", "/x")).empty());
  EXPECT_TRUE(d.Add(kDomain, Allocated(2, "f1", 10, kExe)).empty());
  auto out = d.Flush();
  ASSERT_EQ(out.size(), 1U);
  EXPECT_FALSE(out[0].call);
  EXPECT_TRUE(d.Flush().empty());
}

TEST(DomainDenials, HeldEventsAndRecordsAreBounded) {
  DomainDenials d(kExe);
  d.Expect(10);
  ASSERT_EQ(Event(d, 1, "a1", 10, kExe, true, 10).size(), 1U);
  // Events that never end: the oldest are given out as more come.
  size_t given = 0;
  const int n = static_cast<int>(DomainDenials::kMaxEvents) + 10;
  for (int i = 0; i < n; ++i) given += d.Add(kAccess, Access(100 + i, "a1", "/y")).size();
  EXPECT_EQ(given, 10U);
  EXPECT_EQ(d.Flush().size(), DomainDenials::kMaxEvents);
  // One event's access records past the limit are not held.
  for (int i = 0; i < 1000; ++i) d.Add(kAccess, Access(5000, "a1", "/z"));
  EXPECT_EQ(d.Add(kEnd, Stamp(5000)).size(), limits::kMaxLogEventRecords);
}

TEST(DomainDenials, ARecordNotOfTheKernelsShapeIsCountedNotTaken) {
  DomainDenials d(kExe);
  d.Expect(10);
  EXPECT_TRUE(d.Add(kAccess, Stamp(1) + "domain=zz blockers=fs.read_file").empty());
  EXPECT_EQ(d.malformed(), 1U);
  EXPECT_TRUE(d.Flush().empty());
}

}  // namespace
}  // namespace sysgate::cli
