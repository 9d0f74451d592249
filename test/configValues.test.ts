// The checks of single values: cron specs as Nomad reads them, time zones, addresses, regions.
import * as assert from "assert";
import { isTailnetIpv4, parseCidr } from "../config/addresses";
import { cronProblem } from "../config/cron";
import { regionProblem } from "../config/regions";
import { timeZoneProblem } from "../config/timeZone";

describe("config: cron specs in Nomad's dialect", () => {
    const accepted = [
        "0 3 * * *",
        "  0 3 * * *  ",
        "*/15 * * * *",
        "5/10 * * * *", // cronexpr: from 5, every 10
        "0 3 * * MON-FRI",
        "0 3 * jan-mar sun",
        "0 3 ? * *",
        "0 3 L * *",
        "0 3 LW * *",
        "0 3 15W * *",
        "0 3 * * 5L",
        "0 3 * * 5#2",
        "0 3 * * 7",
        "0 3 1,15 * *",
        "0 5 * * 0 *", // 6 fields: a year last
        "0 5 * * 0 2030-2099",
        "30 0 5 * * 0 *", // 7 fields: a second first
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@hourly",
    ];
    for (const spec of accepted) {
        it(`accepts ${JSON.stringify(spec)}`, () => {
            assert.strictEqual(cronProblem(spec), undefined);
        });
    }

    const refused: [string, string][] = [
        ["60 3 * * *", 'its minute field "60" is wrong (0-59)'],
        ["0 24 * * *", 'its hour field "24" is wrong (0-23)'],
        ["0 3 0 * *", 'its day-of-month field "0" is wrong'],
        ["0 3 32 * *", 'its day-of-month field "32" is wrong'],
        ["0 3 * 13 *", 'its month field "13" is wrong (1-12 or JAN-DEC)'],
        ["0 3 * * 8", 'its day-of-week field "8" is wrong'],
        ["0 3 * * FUN", 'its day-of-week field "FUN" is wrong'],
        ["0 3 * * +MON", 'its day-of-week field "+MON" is wrong'], // croner's AND, not Nomad's
        ["0 3 * * FRI#L", 'its day-of-week field "FRI#L" is wrong'], // croner's, not Nomad's
        ["x 3 * * *", 'its minute field "x" is wrong'],
        ["*/0 * * * *", 'its minute field "*/0" is wrong'],
        ["60 0 3 * * * *", 'its second field "60" is wrong (0-59)'],
        ["0 3 * * * 1969", 'its year field "1969" is wrong (1970-2099)'],
        ["0 0 3 * * * 2100", 'its year field "2100" is wrong (1970-2099)'],
        ["0 3 30 2 *", "never comes round"],
        ["0 3 * * * 1999", "never comes round"],
        ["@midnight", "is not a descriptor Nomad knows"],
        ["@reboot", "is not a descriptor Nomad knows"],
        ["@DAILY", "is not a descriptor Nomad knows"],
        ["", "has 0 fields"],
        ["0 3 * *", "has 4 fields"],
        ["0 0 3 * * * * *", "has 8 fields"],
    ];
    for (const [spec, why] of refused) {
        it(`refuses ${JSON.stringify(spec)}: ${why}`, () => {
            const problem = cronProblem(spec);
            assert.ok(problem?.includes(why), `${JSON.stringify(spec)}: ${problem}`);
        });
    }
});

describe("config: time zones from the IANA database", () => {
    for (const zone of [
        "UTC",
        "Etc/UTC",
        "Asia/Kolkata",
        "Asia/Calcutta",
        "Europe/London",
        "America/Argentina/Buenos_Aires",
        "America/Port-au-Prince",
        "Etc/GMT+5",
    ]) {
        it(`accepts ${zone}`, () => {
            assert.strictEqual(timeZoneProblem(zone), undefined);
        });
    }

    const refused: [string, string][] = [
        ["IST", ""],
        ["GMT", ""],
        ["utc", ""],
        ["+05:30", ""],
        ["Mars/Olympus_Mons", ""],
        ["Asia/Kolkatta", ""],
        ["Europe/Lodnon", '; did you mean "Europe/London"?'],
        ["europe/london", '; did you mean "Europe/London"?'],
        ["../../etc/passwd", ""],
    ];
    for (const [zone, hint] of refused) {
        it(`refuses ${JSON.stringify(zone)}`, () => {
            const problem = timeZoneProblem(zone);
            assert.ok(problem?.startsWith(`${JSON.stringify(zone)} is not an IANA time zone such as "Asia/Kolkata" or "UTC"`), problem);
            assert.ok(problem?.endsWith(hint), problem);
        });
    }
});

describe("config: addresses through node:net", () => {
    const cidrs: [string, string | undefined][] = [
        ["203.0.113.7/32", "ipv4"],
        ["10.0.0.0/8", "ipv4"],
        ["0.0.0.0/0", "ipv4"],
        ["2001:db8::/64", "ipv6"],
        ["2001:db8::1/128", "ipv6"],
        ["::/0", "ipv6"],
        ["::ffff:203.0.113.7/128", "ipv6"],
        ["203.0.113.7", undefined],
        ["203.0.113.7/33", undefined],
        ["203.0.113.256/32", undefined],
        ["203.0.113.07/32", undefined],
        ["2001:db8::/129", undefined],
        ["2001:db8:::1/64", undefined],
        ["2001:db8::g/64", undefined],
        ["fe80::1%eth0/64", undefined],
        ["2001:db8::/-1", undefined],
        ["2001:db8::/ 64", undefined],
        ["/24", undefined],
        ["anywhere", undefined],
    ];
    for (const [cidr, family] of cidrs) {
        it(`${family ? "reads" : "refuses"} ${cidr}`, () => {
            assert.strictEqual(parseCidr(cidr)?.family, family);
        });
    }

    it("knows the tailnet range 100.64.0.0/10", () => {
        assert.ok(isTailnetIpv4("100.64.0.1"));
        assert.ok(isTailnetIpv4("100.127.255.254"));
        assert.ok(!isTailnetIpv4("100.128.0.1"));
        assert.ok(!isTailnetIpv4("100.63.255.255"));
        assert.ok(!isTailnetIpv4("192.168.1.20"));
        assert.ok(!isTailnetIpv4("fd7a:115c:a1e0::1"), "the node's tailnet IPv4, not its IPv6");
    });
});

describe("config: DigitalOcean regions", () => {
    it("suggests the slug the user most likely meant", () => {
        assert.match(regionProblem("BLR1"), /such as "blr1"$/);
        assert.match(regionProblem("fra-1"), /such as "fra1"$/);
        assert.match(regionProblem("lon2"), /such as "lon1"$/);
        assert.match(regionProblem("mars"), /such as "blr1"$/);
        assert.match(regionProblem(7), /^7 is not a DigitalOcean region slug/);
    });
});
