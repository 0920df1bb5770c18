// run --log's reading of the kernel's records (kernel_denials.h), fed with records of the shapes
// this kernel sent: which denials are the run's, grouped with their call, and what a program
// cannot make the reader take for the run's or hold without bound.
#include "kernel_denials.h"

#include <map>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sysgate/limits.h"

namespace sysgate::cli {
namespace {

constexpr uint16_t kAccess = 1423, kDomain = 1424, kSyscall = 1300, kProctitle = 1327, kEnd = 1320,
                   kUser = 1107;
const std::string kExe = "/usr/bin/sysgate";

std::string Stamp(int serial) { return fmt::format("audit(1796579439.399:{}): ", serial); }

std::string Access(int serial, std::string_view domain, std::string_view path) {
  return Stamp(serial) +
         fmt::format("domain={} blockers=fs.read_file path=\"{}\" dev=\"vda\" ino=10953748", domain,
                     path);
}

std::string Allocated(int serial, std::string_view domain, int pid, std::string_view exe) {
  return Stamp(serial) + fmt::format(
                             "domain={} status=allocated mode=enforcing pid={} uid=0 exe=\"{}\" "
                             "comm=\"sysgate\"",
                             domain, pid, exe);
}

std::string Freed(int serial, std::string_view domain) {
  return Stamp(serial) + fmt::format("domain={} status=deallocated denials=1", domain);
}

std::string Call(int serial, int pid, int ppid = 1) {
  return Stamp(serial) +
         fmt::format(
             "arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=55b44c0b7b10 "
             "a2=80000 a3=0 items=0 ppid={} pid={} auid=4294967295 uid=0 gid=0 euid=0 "
             "suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 "
             "comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)",
             ppid, pid);
}

// A process tree for the test: no process but those listed has a parent.
DomainDenials::ParentOf Tree(std::map<int32_t, int32_t> parents) {
  return [parents](int32_t pid) -> std::optional<int32_t> {
    auto it = parents.find(pid);
    if (it == parents.end()) return std::nullopt;
    return it->second;
  };
}

// The records of one denial as the kernel sends them, the domain's record with its first.
std::vector<KernelDenial> Event(DomainDenials& d, int serial, std::string_view domain, int maker,
                                std::string_view exe, bool first, int caller, int parent = 1) {
  EXPECT_TRUE(d.Add(kAccess, Access(serial, domain, "/etc/shadow")).empty());
  if (first) {
    EXPECT_TRUE(d.Add(kDomain, Allocated(serial, domain, maker, exe)).empty());
  }
  EXPECT_TRUE(d.Add(kSyscall, Call(serial, caller, parent)).empty());
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
  ASSERT_EQ(Event(d, 1, "f1", 10, kExe, true, 10).size(), 1U);
  // A record made outside a syscall: no SYSCALL or EOE record.
  EXPECT_TRUE(d.Add(kAccess, Access(2, "f1", "/x")).empty());
  auto out = d.Flush();
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].access.path, "/x");
  EXPECT_FALSE(out[0].call);
  EXPECT_TRUE(d.Flush().empty());
}

// A domain's first denial made outside a syscall cannot be told to be the program's: not taken,
// until one of its denials is made in the program's tree.
TEST(DomainDenials, AFirstDenialWithoutItsCallIsNotTaken) {
  DomainDenials d(kExe);
  d.Expect(10);
  EXPECT_TRUE(d.Add(kAccess, Access(1, "f2", "/x")).empty());
  EXPECT_TRUE(d.Add(kDomain, Allocated(2, "f2", 10, kExe)).empty());
  EXPECT_TRUE(d.Flush().empty());
  EXPECT_EQ(d.unconfirmed(), 1U);
  EXPECT_FALSE(d.AnyOurs());
  EXPECT_EQ(Event(d, 3, "f2", 0, kExe, false, 10).size(), 1U);
  EXPECT_TRUE(d.AnyOurs());
}

// A daemon's denial (its parents gone: the program's tree cannot be told) is only counted; the
// domain is the run's from its first denial in the tree on.
TEST(DomainDenials, ADaemonsFirstDenialIsCountedTillOneInTheTree) {
  DomainDenials d(kExe, Tree({{700, 1}}));
  d.Expect(10);
  EXPECT_TRUE(Event(d, 1, "d1", 10, kExe, true, /*caller=*/701, /*parent=*/700).empty());
  EXPECT_TRUE(Event(d, 2, "d1", 0, kExe, false, 701, 700).empty());
  EXPECT_EQ(d.unconfirmed(), 2U);
  EXPECT_EQ(Event(d, 3, "d1", 0, kExe, false, /*caller=*/11, /*parent=*/10).size(), 1U);
  EXPECT_EQ(Event(d, 4, "d1", 0, kExe, false, 701, 700).size(), 1U);
}

// The first denial of the run's domain may come from any process of the program's tree: the
// child's children, or further down while their parents run.
TEST(DomainDenials, TheFirstDenialMayComeFromTheProgramsDescendants) {
  DomainDenials child(kExe, Tree({}));
  child.Expect(10);
  EXPECT_EQ(Event(child, 1, "b1", 10, kExe, true, /*caller=*/11, /*parent=*/10).size(), 1U);
  DomainDenials deeper(kExe, Tree({{12, 11}, {11, 10}, {10, 1}}));
  deeper.Expect(10);
  EXPECT_EQ(Event(deeper, 1, "b2", 10, kExe, true, /*caller=*/13, /*parent=*/12).size(), 1U);
}

// Another user's domain, made by a process whose pid the child has been given since (pid
// reuse), named with sysgate's executable (it ran sysgate too): its denials are made outside
// the program's tree, so it is never the run's.
TEST(DomainDenials, ADomainMadeUnderAReusedPidIsNotTheRuns) {
  DomainDenials d(kExe, Tree({{501, 500}, {500, 1}}));
  d.Expect(10);
  EXPECT_TRUE(Event(d, 1, "c1", 10, kExe, true, /*caller=*/501, /*parent=*/500).empty());
  for (int i = 2; i < 50; ++i) EXPECT_TRUE(Event(d, i, "c1", 0, kExe, false, 501, 500).empty());
  EXPECT_TRUE(d.Add(kAccess, Access(99, "c1", "/later")).empty());
  EXPECT_TRUE(d.Flush().empty());
  EXPECT_EQ(d.unconfirmed(), 50U);
  EXPECT_FALSE(d.AnyOurs());
}

TEST(DomainDenials, TheRunsDomainsAreBounded) {
  DomainDenials d(kExe);
  d.Expect(10);
  for (size_t i = 0; i < DomainDenials::kMaxDomains + 5; ++i) {
    Event(d, static_cast<int>(i + 1), fmt::format("{:x}", 0x100 + i), 10, kExe, true, 10);
  }
  // The domains past the bound are not the run's: their denials are not given.
  const std::string past = fmt::format("{:x}", 0x100 + DomainDenials::kMaxDomains + 1);
  EXPECT_TRUE(Event(d, 9000, past, 0, kExe, false, 10).empty());
  EXPECT_EQ(Event(d, 9001, "100", 0, kExe, false, 10).size(), 1U);
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
  // Nor more records in all than kMaxHeldRecords: events end early to keep to it.
  given = 0;
  for (int e = 0; e < 40; ++e) {
    for (size_t i = 0; i < limits::kMaxLogEventRecords; ++i)
      given += d.Add(kAccess, Access(6000 + e, "a1", "/w")).size();
  }
  EXPECT_EQ(given + d.Flush().size(), 40 * limits::kMaxLogEventRecords);
  EXPECT_GE(given, 40 * limits::kMaxLogEventRecords - DomainDenials::kMaxHeldRecords);
}

// Any user can make Landlock denials of their own domains: a flood of their events between a
// denial of the run's and its call's record is dropped as each domain's record comes, and does
// not push the run's event out.
TEST(DomainDenials, AFloodOfOtherDomainsEventsDoesNotPushTheRunsOut) {
  DomainDenials d(kExe);
  d.Expect(10);
  EXPECT_TRUE(d.Add(kAccess, Access(1, "e0", "/secret")).empty());
  EXPECT_TRUE(d.Add(kDomain, Allocated(1, "e0", 10, kExe)).empty());
  for (int i = 0; i < 3000; ++i) {
    const std::string domain = fmt::format("{:x}", 0x10000 + i);
    EXPECT_TRUE(d.Add(kAccess, Access(100 + i, domain, "/x")).empty());
    EXPECT_TRUE(d.Add(kDomain, Allocated(100 + i, domain, 999, kExe)).empty());
  }
  EXPECT_TRUE(d.Add(kSyscall, Call(1, 10)).empty());
  auto out = d.Add(kEnd, Stamp(1));
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].access.path, "/secret");
  ASSERT_TRUE(out[0].call);
  EXPECT_EQ(d.unconfirmed(), 0U);
}

// Once the child is reaped its pid may be another process's: a domain whose record is stamped
// after that is not taken for the run's, one stamped before (a record on its way) is.
TEST(DomainDenials, AfterTheReapThePidIsNoLongerTheChilds) {
  DomainDenials d(kExe);
  d.Expect(10);
  d.Reaped(1796579439399LL + 1000);                             // a second after Stamp()'s time
  EXPECT_EQ(Event(d, 1, "f0", 10, kExe, true, 10).size(), 1U);  // stamped before
  DomainDenials late(kExe);
  late.Expect(10);
  late.Reaped(1796579439399LL - 1000);
  EXPECT_TRUE(Event(late, 1, "f1", 10, kExe, true, 10).empty());
  EXPECT_FALSE(late.AnyOurs());
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
