/* SPDX-License-Identifier: Apache-2.0 */
/* A labelled set: (platform, advisory, expected verdict) cases, each
 * labelled by reading the document, run through the whole pipeline twice
 * (the platform registered before the import, matched by the import; and
 * registered after it, matched from the store), with precision and recall
 * printed. A positive is a decided verdict that alerts (known_affected,
 * under_investigation); a negative, any other decided one or no match;
 * undecided verdicts ("needs a look") are counted apart, and every case
 * must come out exactly as labelled, with the same reason on both paths.
 *
 * Documents read (from ../shared/corpus or $TS_CORPUS_DIR; never copied
 * into the project; their cases are skipped, visibly, when it is absent):
 *  cisagov/vulnrichment (CC0 1.0), each at the commit that last touched it:
 *   advisories-extra/cve/CVE-2024-26588.json  2024/26xxx, d0d8c4294c2d3b5316e652d0cc42a11e61454df1
 *   advisories-extra/cve/CVE-2024-26773.json  2024/26xxx, 1d5ca639a8a2b21b43d5a29904901e22b871dd17
 *   advisories-extra/cve/CVE-2024-26952.json  2024/26xxx, aaaae0c6701bd84c622bc0c016f03123c8d30ac0
 *   advisories-extra/cve/CVE-2024-35785.json  2024/35xxx, 5a5d021160edf1c395b6df680c6933690777c6bd
 *   advisories-extra/cve/CVE-2024-35969.json  2024/35xxx, 9d3dee283d504ba29cdae21b762cb03101d2929f
 *   advisories-extra/cve/CVE-2024-37078.json  2024/37xxx, 592fdc5a8846a31e9450813c2016341944543e40
 *   advisories-extra/cve/CVE-2024-21673.json  2024/21xxx, 68e9b54bcc4453f284b258bc398177264e60c89e
 *   advisories-extra/cve/CVE-2024-27301.json  2024/27xxx, e13fd29b0daca0e1c863647943eff10da7424f03
 *   advisories-extra/cve/CVE-2024-31205.json  2024/31xxx, aaaae0c6701bd84c622bc0c016f03123c8d30ac0
 *   advisories-extra/cve/CVE-2024-34063.json  2024/34xxx, 1e806a475e6876bffe121406f4005410685ffe37
 *   advisories-extra/cve/CVE-2024-37884.json  2024/37xxx, f2cf2d775addb391e3ff0170811ba4ff557d7299
 *   advisories-extra/cve/CVE-2024-42356.json  2024/42xxx, ae1d550c1d5ffd1bfb5dd71821e0aa03a7ccbb82
 *   advisories/cve/CVE-2024-3400.json         2024/3xxx, 74bbbcb1477ebf6ecf863815d4128f60bbb94ddf
 *   advisories/cve/CVE-2024-6387.json         2024/6xxx, 1f14dc39cb7f5d23cd6ec9a7b9e1501b2b81bfe5
 *   advisories/cve/CVE-2024-3094.json         2024/3xxx, fb4f17d6335657c40e2afefae6b77a5c38b17cf7
 *  cisagov/CSAF (US Government work, TLP:WHITE), csaf_files/...:
 *   advisories-extra/csaf/icsa-24-102-04.json OT/white/2024,
 * 7f737a0231e8713253e9e13d1fff4d697b392521 advisories/csaf/icsa-24-256-08.json       OT/white/2024,
 * 9a70412076b6433332ed51c83dfbfe1a6e6f0a22 advisories/csaf/icsa-24-011-07.json       OT/white/2024,
 * f0feea7b7ff95ce932b9859aeed426fa1c43424e advisories/csaf/icsa-24-289-02.json       OT/white/2024,
 * 2835dbe459f30f3c675e76790bb12d8d03fa4fe8 advisories/csaf/icsa-23-243-04.json       OT/white/2023,
 * 95bdec97b3af57b81a1b5cd6ad1fd55f388f1fe6 advisories/csaf/va-24-201-01.json         IT/white/2024,
 * 9d19c60941cab73b500941ab45fa2faa31c162cc oasis-tcs/csaf (OASIS IPR policy),
 * csaf_2.0/examples/csaf/...: advisories/csaf/rhsa-2021_5186.json
 * 99e6e7ba2b93727e7755823c97cc7689e2f9e752 advisories/csaf/bsi-2022-0001.json
 * 715230bce5df4a1b2dac280d3dccfaf52a10deb5 advisories/csaf/cisco-sa-20180328-smi2.json
 * 81f0d2f688d4f85be2042e85e4d8f6afb9237c93 Documents this test writes (below), our own text in the
 * shapes the issue describes: S7   a Siemens advisory as CISA republishes them: a product named
 * with its order number in parentheses, range "vers:all/<V3.1.0", model_numbers; RHSA a Red Hat
 * advisory: the RHEL release BaseOS-9.2.0.Z.MAIN (cpe:/o:redhat:enterprise_linux:9::baseos) named
 * only as the relates_to_product_reference of default_component_of relationships whose openssh
 * packages are fixed; CHAIN a library default_component_of (an agent installed_on a host OS); PART
 * a CVE record only partly understood, and a CSAF one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "advisory/import.h"
#include "advisory/match.h"
#include "advtest.h"
#include "store/advstore.h"
#include "ttstore.h"

#define X "advisories-extra/"
#define C "advisories/"

static const char s7_tree[] =
    "{\"branches\": [{\"category\": \"vendor\", \"name\": \"Siemens\", \"branches\": ["
    "{\"category\": \"product_name\", \"name\": \"SIMATIC S7-1500 CPU 1518-4 PN/DP "
    "(6ES7518-4AP00-0AB0)\", \"branches\": [{\"category\": \"product_version_range\", \"name\": "
    "\"vers:all/<V3.1.0\", \"product\": {\"name\": \"SIMATIC S7-1500 CPU 1518-4 PN/DP "
    "(6ES7518-4AP00-0AB0)\", \"product_id\": \"CSAFPID-0001\", "
    "\"product_identification_helper\": {\"model_numbers\": [\"6ES7518-4AP00-0AB0\"]}}}]}, "
    "{\"category\": \"product_name\", \"name\": \"SIMATIC S7-1500 CPU 1518F-4 PN/DP "
    "(6ES7518-4FP00-0AB0)\", \"branches\": [{\"category\": \"product_version_range\", \"name\": "
    "\"vers:all/<V2.9.7\", \"product\": {\"name\": \"SIMATIC S7-1500 CPU 1518F-4 PN/DP "
    "(6ES7518-4FP00-0AB0)\", \"product_id\": \"CSAFPID-0002\", "
    "\"product_identification_helper\": {\"model_numbers\": [\"6ES7518-4FP00-0AB0\"]}}}]}]}]}";
static const char s7_vulns[] = "[{\"cve\": \"CVE-2026-0001\", \"product_status\": "
                               "{\"known_affected\": [\"CSAFPID-0001\", \"CSAFPID-0002\"]}}]";

static const char rhsa_tree[] =
    "{\"branches\": [{\"category\": \"vendor\", \"name\": \"Red Hat\", \"branches\": ["
    "{\"category\": \"product_family\", \"name\": \"Red Hat Enterprise Linux\", \"branches\": ["
    "{\"category\": \"product_name\", \"name\": \"Red Hat Enterprise Linux BaseOS (v. 9)\", "
    "\"product\": {\"name\": \"Red Hat Enterprise Linux BaseOS (v. 9)\", \"product_id\": "
    "\"BaseOS-9.2.0.Z.MAIN\", \"product_identification_helper\": {\"cpe\": "
    "\"cpe:/o:redhat:enterprise_linux:9::baseos\"}}}]}, "
    "{\"category\": \"product_version\", \"name\": \"openssh-0:8.7p1-38.el9_4.1.x86_64\", "
    "\"product\": {\"name\": \"openssh-0:8.7p1-38.el9_4.1.x86_64\", \"product_id\": "
    "\"openssh-0:8.7p1-38.el9_4.1.x86_64\", \"product_identification_helper\": {\"purl\": "
    "\"pkg:rpm/redhat/openssh@8.7p1-38.el9_4.1?arch=x86_64&epoch=0\"}}}, "
    "{\"category\": \"product_version\", \"name\": \"openssh-server-0:8.7p1-38.el9_4.1.x86_64\", "
    "\"product\": {\"name\": \"openssh-server-0:8.7p1-38.el9_4.1.x86_64\", \"product_id\": "
    "\"openssh-server-0:8.7p1-38.el9_4.1.x86_64\", \"product_identification_helper\": {\"purl\": "
    "\"pkg:rpm/redhat/openssh-server@8.7p1-38.el9_4.1?arch=x86_64&epoch=0\"}}}]}], "
    "\"relationships\": [{\"category\": \"default_component_of\", \"product_reference\": "
    "\"openssh-0:8.7p1-38.el9_4.1.x86_64\", \"relates_to_product_reference\": "
    "\"BaseOS-9.2.0.Z.MAIN\", \"full_product_name\": {\"name\": "
    "\"openssh-0:8.7p1-38.el9_4.1.x86_64 as a component of Red Hat Enterprise Linux BaseOS (v. "
    "9)\", \"product_id\": \"BaseOS-9.2.0.Z.MAIN:openssh-0:8.7p1-38.el9_4.1.x86_64\"}}, "
    "{\"category\": \"default_component_of\", \"product_reference\": "
    "\"openssh-server-0:8.7p1-38.el9_4.1.x86_64\", \"relates_to_product_reference\": "
    "\"BaseOS-9.2.0.Z.MAIN\", \"full_product_name\": {\"name\": "
    "\"openssh-server-0:8.7p1-38.el9_4.1.x86_64 as a component of Red Hat Enterprise Linux "
    "BaseOS (v. 9)\", \"product_id\": "
    "\"BaseOS-9.2.0.Z.MAIN:openssh-server-0:8.7p1-38.el9_4.1.x86_64\"}}]}";
static const char rhsa_vulns[] =
    "[{\"cve\": \"CVE-2024-6387\", \"product_status\": {\"fixed\": ["
    "\"BaseOS-9.2.0.Z.MAIN:openssh-0:8.7p1-38.el9_4.1.x86_64\", "
    "\"BaseOS-9.2.0.Z.MAIN:openssh-server-0:8.7p1-38.el9_4.1.x86_64\"]}, \"remediations\": "
    "[{\"category\": \"vendor_fix\", \"details\": \"Update the openssh packages\", \"url\": "
    "\"https://access.redhat.com/errata/RHSA-TEST\", \"product_ids\": ["
    "\"BaseOS-9.2.0.Z.MAIN:openssh-0:8.7p1-38.el9_4.1.x86_64\"]}]}]";

static const char chain_tree[] =
    "{\"branches\": [{\"category\": \"vendor\", \"name\": \"ACME\", \"branches\": ["
    "{\"category\": \"product_name\", \"name\": \"Host OS\", \"branches\": [{\"category\": "
    "\"product_version\", \"name\": \"7\", \"product\": {\"name\": \"Host OS 7\", \"product_id\": "
    "\"HOST\"}}]}, "
    "{\"category\": \"product_name\", \"name\": \"Agent\", \"branches\": [{\"category\": "
    "\"product_version\", \"name\": \"2.0\", \"product\": {\"name\": \"Agent 2.0\", "
    "\"product_id\": \"AGENT\"}}]}, "
    "{\"category\": \"product_name\", \"name\": \"libfoo\", \"branches\": [{\"category\": "
    "\"product_version\", \"name\": \"1.2\", \"product\": {\"name\": \"libfoo 1.2\", "
    "\"product_id\": \"LIB\"}}]}]}], "
    "\"relationships\": [{\"category\": \"installed_on\", \"product_reference\": \"AGENT\", "
    "\"relates_to_product_reference\": \"HOST\", \"full_product_name\": {\"name\": \"Agent 2.0 "
    "installed on Host OS 7\", \"product_id\": \"AGENT-ON-HOST\"}}, {\"category\": "
    "\"default_component_of\", \"product_reference\": \"LIB\", \"relates_to_product_reference\": "
    "\"AGENT-ON-HOST\", \"full_product_name\": {\"name\": \"libfoo 1.2 in Agent 2.0 on Host OS "
    "7\", \"product_id\": \"LIB-IN-AGENT-ON-HOST\"}}]}";
static const char chain_vulns[] =
    "[{\"product_status\": {\"known_affected\": [\"LIB-IN-AGENT-ON-HOST\"]}}]";

/* Default affected, an unaffected range whose end cannot be read, one that
 * can. */
static const char part_affected[] =
    "[{\"vendor\": \"Linux\", \"product\": \"Linux\", \"defaultStatus\": \"affected\", "
    "\"versions\": [{\"version\": \"6.1.90\", \"lessThanOrEqual\": \"6.1.x\", \"status\": "
    "\"unaffected\", \"versionType\": \"custom\"}, {\"version\": \"6.6.30\", \"lessThanOrEqual\": "
    "\"6.6.*\", \"status\": \"unaffected\", \"versionType\": \"custom\"}]}]";
static const char part_tree[] =
    "{\"branches\": [{\"category\": \"vendor\", \"name\": \"ACME\", \"branches\": [{\"category\": "
    "\"product_name\", \"name\": \"Gateway\", \"branches\": [{\"category\": "
    "\"product_version_range\", \"name\": \"all versions before the spring update\", \"product\": "
    "{\"name\": \"Gateway\", \"product_id\": \"GW\"}}]}]}]}";
static const char part_vulns[] = "[{\"product_status\": {\"known_affected\": [\"GW\"]}}]";

struct written {
    const char *key;
    char *text; /* built in setup */
};
static struct written written[] = {
    {"S7", NULL}, {"RHSA", NULL}, {"CHAIN", NULL}, {"PART-CVE", NULL}, {"PART-CSAF", NULL}};

/* Verdicts: no match, a decided status (the ts_pstatus_t values), undecided. */
enum {
    NONE = 0,
    AFFECTED = (int)TS_PS_AFFECTED,
    INVESTIGATING = (int)TS_PS_UNDER_INVESTIGATION,
    FIXED = (int)TS_PS_FIXED,
    NOT_AFFECTED = (int)TS_PS_NOT_AFFECTED,
    UNDECIDED,
};
static const char *const verdicts[] = {"none",  "known_affected",     "under_investigation",
                                       "fixed", "known_not_affected", "undecided"};

struct lcase {
    const char *doc;      /* corpus path, or a written key */
    const char *platform; /* spec */
    int want;
    const char *why; /* what in the document decides */
};

static const struct lcase cases[] = {
    /* The kernel CNA: a git element (never deciding), and a release element,
     * defaultStatus affected, the fixed stable lines as "X lessThanOrEqual
     * N.N.*" unaffected and the mainline fix "original_commit_for_fix" up to
     * "*". */
    {X "cve/CVE-2024-26588.json", "linux:linux_kernel:6.1.74", AFFECTED,
     "affected[1]: 6.1 affected, 6.1.75..6.1.* unaffected: 6.1.74 gets the default"},
    {X "cve/CVE-2024-26588.json", "linux:linux_kernel:6.1.75", NOT_AFFECTED,
     "affected[1].versions[2]: 6.1.75 lessThanOrEqual 6.1.*"},
    {X "cve/CVE-2024-26588.json", "linux:linux_kernel:6.1.200", NOT_AFFECTED,
     "affected[1].versions[2]: 6.1.* holds every 6.1.x"},
    {X "cve/CVE-2024-26588.json", "linux:linux_kernel:6.0.19", NOT_AFFECTED,
     "affected[1].versions[1]: 0 lessThan 6.1 unaffected"},
    {X "cve/CVE-2024-26588.json", "linux:linux_kernel:6.5.3", AFFECTED,
     "no stable line 6.5: the default (affected)"},
    {X "cve/CVE-2024-26588.json", "linux:linux_kernel:6.8.1", NOT_AFFECTED,
     "affected[1].versions[5]: 6.8 lessThanOrEqual * (original_commit_for_fix)"},
    {X "cve/CVE-2024-26588.json", "linux:linux_kernel:6.7.1", AFFECTED,
     "6.7.2..6.7.* unaffected: 6.7.1 gets the default"},
    {X "cve/CVE-2024-26773.json", "cpe:2.3:o:linux:linux_kernel:5.10.211:*:*:*:*:*:*:*",
     NOT_AFFECTED, "affected[1].versions[2]: 5.10.211 lessThanOrEqual 5.10.*"},
    {X "cve/CVE-2024-26773.json", "cpe:2.3:o:linux:linux_kernel:5.10.210:*:*:*:*:*:*:*", AFFECTED,
     "below 5.10.211: the default"},
    {X "cve/CVE-2024-26773.json", "linux:linux_kernel:4.14.300", AFFECTED,
     "4.14 has no fixed line: the default"},
    {X "cve/CVE-2024-26773.json", "linux:linux_kernel:6.1.80", NOT_AFFECTED,
     "affected[1].versions[4]: 6.1.80 lessThanOrEqual 6.1.*"},
    {X "cve/CVE-2024-26773.json", "Linux:Linux:6.7.6", AFFECTED,
     "the CNA's own names; 6.7.7 is the 6.7 fix"},
    {X "cve/CVE-2024-26952.json", "linux:linux_kernel:6.6.32", NOT_AFFECTED,
     "affected[1].versions[0]: 6.6.32 lessThanOrEqual 6.6.*"},
    {X "cve/CVE-2024-26952.json", "linux:linux_kernel:6.6.31", AFFECTED,
     "below 6.6.32: the default; the ADP's commit ids decide nothing"},
    {X "cve/CVE-2024-26952.json", "linux:linux_kernel:6.1.90", AFFECTED,
     "no 6.1 line is listed fixed: the default"},
    {X "cve/CVE-2024-26952.json", "linux:linux_kernel:6.9.1", NOT_AFFECTED,
     "affected[1].versions[3]: 6.9 lessThanOrEqual * (original_commit_for_fix)"},
    {X "cve/CVE-2024-35785.json", "linux:linux_kernel:5.10.214", NOT_AFFECTED,
     "affected[1].versions[1]: 0 lessThan 6.7 unaffected"},
    {X "cve/CVE-2024-35785.json", "linux:linux_kernel:6.7", AFFECTED,
     "affected[1].versions[0]: 6.7 affected"},
    {X "cve/CVE-2024-35785.json", "linux:linux_kernel:6.7.11", AFFECTED,
     "between 6.7 and the 6.7.12 fix: the default"},
    {X "cve/CVE-2024-35785.json", "linux:linux_kernel:6.7.12", NOT_AFFECTED,
     "affected[1].versions[6]: 6.7.12 lessThanOrEqual 6.7.*"},
    {X "cve/CVE-2024-35969.json", "linux:linux_kernel:6.1.86", AFFECTED,
     "below the 6.1.87 fix: the default"},
    {X "cve/CVE-2024-35969.json", "linux:linux_kernel:6.1.87", NOT_AFFECTED,
     "affected[1].versions[6]: 6.1.87 lessThanOrEqual 6.1.*"},
    {X "cve/CVE-2024-35969.json", "linux:linux_kernel:2.6.34", NOT_AFFECTED,
     "affected[1].versions[1]: 0 lessThan 2.6.35 unaffected"},
    {X "cve/CVE-2024-35969.json", "linux:linux_kernel:6.7.5", AFFECTED,
     "no 6.7 line fixed (6.6.*, then 6.8.7): the default"},
    {X "cve/CVE-2024-37078.json", "linux:linux_kernel:6.9.4", AFFECTED,
     "below the 6.9.5 fix: the default"},
    {X "cve/CVE-2024-37078.json", "linux:linux_kernel:6.9.5", NOT_AFFECTED,
     "affected[1].versions[8]: 6.9.5 lessThanOrEqual 6.9.*"},
    {X "cve/CVE-2024-37078.json", "linux:linux_kernel:6.10.3", NOT_AFFECTED,
     "affected[1].versions[9]: 6.10 lessThanOrEqual * (original_commit_for_fix)"},
    {X "cve/CVE-2024-37078.json", "linux:linux_kernel:5.15.161", AFFECTED,
     "below the 5.15.162 fix: the default"},
    /* Ranges written inside "version" (GitHub's advisory syntax). */
    {X "cve/CVE-2024-31205.json", "saleor:saleor:3.14.63", AFFECTED, ">= 3.10.0, < 3.14.64"},
    {X "cve/CVE-2024-31205.json", "saleor:saleor:3.14.64", NONE, "the fix; no defaultStatus"},
    {X "cve/CVE-2024-31205.json", "saleor:saleor:3.17.34", AFFECTED, ">= 3.17.0, < 3.17.35"},
    {X "cve/CVE-2024-31205.json", "saleor:saleor:3.20.0", NONE, "past every range"},
    {X "cve/CVE-2024-31205.json", "saleor:saleor:3.9.9", NONE, "before every range"},
    {X "cve/CVE-2024-34063.json", "matrix-org:vodozemac:0.5.1", AFFECTED,
     ">= 0.5.0, < 0.6.0 (and the ADP's 0.5.0..0.5.1)"},
    {X "cve/CVE-2024-34063.json", "matrix-org:vodozemac:0.6.0", NONE, "the fix"},
    {X "cve/CVE-2024-34063.json", "matrix-org:vodozemac:0.4.9", NONE, "before the range"},
    {X "cve/CVE-2024-37884.json", "nextcloud:security-advisories:27.1.7", AFFECTED,
     ">= 27.0.0, < 27.1.8"},
    {X "cve/CVE-2024-37884.json", "nextcloud:security-advisories:27.1.8", NONE, "the fix"},
    {X "cve/CVE-2024-37884.json", "nextcloud:security-advisories:28.0.3", AFFECTED,
     ">= 28.0.0, < 28.0.4"},
    {X "cve/CVE-2024-42356.json", "shopware:shopware:6.5.8.12", AFFECTED, "<= 6.5.8.12"},
    {X "cve/CVE-2024-42356.json", "shopware:shopware:6.5.8.13", NONE, "past <= 6.5.8.12"},
    {X "cve/CVE-2024-42356.json", "shopware:shopware:6.6.5.0", AFFECTED, ">= 6.6.0.0, <= 6.6.5.0"},
    {X "cve/CVE-2024-42356.json", "shopware:shopware:6.6.5.1", NONE, "past <= 6.6.5.0"},
    {X "cve/CVE-2024-27301.json", "root3nl:supportapp:2.5.1", AFFECTED,
     ">= 2.3.1, < 2.5.1 Rev 2: 2.5.1 is before its Rev 2"},
    {X "cve/CVE-2024-27301.json", "root3nl:supportapp:2.5.2", NONE, "past the range"},
    {X "cve/CVE-2024-27301.json", "root3nl:supportapp:2.3.0", NONE, "before the range"},
    /* Atlassian: overlapping "version" ranges; the more specific one holds. */
    {X "cve/CVE-2024-21673.json", "atlassian:confluence data center:8.7.2", NOT_AFFECTED,
     "cna.affected[0]: unaffected >= 8.7.2, inside affected >= 8.6.0"},
    {X "cve/CVE-2024-21673.json", "atlassian:confluence data center:7.19.18", NOT_AFFECTED,
     "CNA: unaffected >= 7.19.18; the ADP's coarser lessThan 8.7.2 does not overrule it"},
    {X "cve/CVE-2024-21673.json", "atlassian:confluence data center:8.6.1", AFFECTED,
     "affected >= 8.6.0, before 8.7.2"},
    {X "cve/CVE-2024-21673.json", "atlassian:confluence data center:7.12.5", NOT_AFFECTED,
     "unaffected < 7.13.0"},
    {X "cve/CVE-2024-21673.json", "atlassian:confluence server:8.7.1", AFFECTED,
     "cna.affected[1]: Server has no fix past affected >= 8.7.1"},
    {X "cve/CVE-2024-21673.json", "atlassian:confluence server:8.5.5", NOT_AFFECTED,
     "cna.affected[1]: unaffected >= 8.5.5 (before 8.6.0)"},
    /* Siemens via CISA: names with parenthesised order numbers, model numbers. */
    {X "csaf/icsa-24-102-04.json", "Siemens:RUGGEDCOM APE1808:V2.0", AFFECTED,
     "CSAFPID-0001..3, vers:all/*, known_affected"},
    {X "csaf/icsa-24-102-04.json", "Siemens:RUGGEDCOM ROX II:2.0", NONE, "not named"},
    {C "csaf/icsa-24-256-08.json", "Siemens:LiveTwin Industrial Edge app:V2.3", AFFECTED,
     "CSAFPID-0003 \"LiveTwin Industrial Edge app (6AV2170-0BL00-0AA0)\", vers:all/<V2.4"},
    {C "csaf/icsa-24-256-08.json", "siemens:livetwin industrial edge app:V2.4", NONE,
     "not before V2.4"},
    {C "csaf/icsa-24-256-08.json", "siemens:edge app:V2.1;model=6AV2170-0BL00-0AA0", AFFECTED,
     "CSAFPID-0003's model_numbers"},
    {C "csaf/icsa-24-256-08.json", "Siemens:SIMATIC WinCC V7.4:V7.4_SP1", UNDECIDED,
     "CSAFPID-0010 range \"All_versions_with_installed_WebRH\": not a range"},
    {C "csaf/icsa-24-256-08.json", "Siemens:SIMATIC PCS neo V4.1:V4.1_Update_1", AFFECTED,
     "CSAFPID-0004 <V4.1_Update_2"},
    {C "csaf/icsa-24-256-08.json", "Siemens:SIMATIC PCS neo V4.1:V4.1_Update_2", NONE, "the fix"},
    {C "csaf/icsa-24-256-08.json",
     "Siemens:Data Flow Monitoring Industrial Edge Device User Interface:V0.0.5", AFFECTED,
     "CSAFPID-0002 \"... User Interface (DFM IED UI)\", vers:all/<V0.0.6"},
    {C "csaf/icsa-24-011-07.json", "Siemens:Spectrum Power 7:V23Q3", AFFECTED,
     "\"All versions < V23Q4\""},
    {C "csaf/icsa-24-011-07.json", "Siemens:Spectrum Power 7:V23Q4", NONE, "the fix"},
    {C "csaf/icsa-24-289-02.json", "Schneider Electric:Data Center Expert:8.1.0", AFFECTED,
     "CSAFPID-0001 <=8.1.1.3"},
    {C "csaf/icsa-24-289-02.json", "Schneider Electric:Data Center Expert:8.2", FIXED,
     "CSAFPID-0002 product_version 8.2, fixed"},
    {C "csaf/icsa-23-243-04.json", "Digi International:Digi Connect ES:2.26.2.3", AFFECTED,
     "CSAFPID-0020 < 2.26.2.4"},
    {C "csaf/icsa-23-243-04.json", "Digi International:Digi Connect ES:2.26.2.4", NONE,
     "not < 2.26.2.4"},
    {C "csaf/icsa-23-243-04.json", "Digi International, Inc.:Digi 6350-SR:1.0", NOT_AFFECTED,
     "CSAFPID-0022 vers:all/*, known_not_affected"},
    {C "csaf/va-24-201-01.json", "AdminerEvo:AdminerEvo:4.8.3", AFFECTED,
     "CSAFPID-0007: known_affected (fixed for CVE-2023-45197 only)"},
    {C "csaf/va-24-201-01.json", "AdminerEvo:AdminerEvo:4.8.4", FIXED, "CSAFPID-0009 fixed"},
    {C "csaf/va-24-201-01.json", "Adminer:Adminer:4.8.1", AFFECTED, "CSAFPID-0006 all versions"},
    {C "csaf/bsi-2022-0001.json", "CSAF Tools:CVRF-CSAF-Converter:1.0.0-rc1", AFFECTED,
     "CSAFPID-0005 known_affected"},
    {C "csaf/bsi-2022-0001.json", "CSAF Tools:CVRF-CSAF-Converter:1.0.0-rc2", FIXED,
     "CSAFPID-0006 first_fixed, fixed"},
    {C "csaf/cisco-sa-20180328-smi2.json", "Cisco:IOS:15.2(4)E5a", AFFECTED,
     "CVRFPID-231074 15.2(4)E5a known_affected"},
    {C "csaf/cisco-sa-20180328-smi2.json", "Cisco:IOS:15.2(7)E", NONE, "not enumerated"},
    /* Red Hat: the OpenShift release named only through relationships. */
    {C "csaf/rhsa-2021_5186.json", "cpe:/a:redhat:openshift:4.6::el8", FIXED,
     "relationships to 8Base-RHOSE-4.6: the metering-hive image is fixed"},
    {C "csaf/rhsa-2021_5186.json", "cpe:/a:redhat:openshift:4.7::el8", NONE, "other release"},
    /* Earlier CVE records. */
    {C "cve/CVE-2024-3400.json", "Palo Alto Networks:PAN-OS:10.2.9", AFFECTED,
     "versions[4] 10.2.0 lessThan 10.2.9-h1"},
    {C "cve/CVE-2024-3400.json", "Palo Alto Networks:PAN-OS:10.2.9-h1", NOT_AFFECTED,
     "the hotfix: defaultStatus unaffected"},
    {C "cve/CVE-2024-3400.json", "Palo Alto Networks:PAN-OS:11.1.2-h3", NOT_AFFECTED,
     "versions[6] changes at 11.1.2-h3 unaffected"},
    {C "cve/CVE-2024-3094.json", "tukaani:xz:5.6.1", AFFECTED, "versions[1] 5.6.1"},
    {C "cve/CVE-2024-3094.json", "tukaani:xz:5.4.6", NOT_AFFECTED, "defaultStatus unaffected"},
    {C "cve/CVE-2024-6387.json", "openbsd:openssh:8.7p1", AFFECTED,
     "affected[0] 8.5p1 lessThanOrEqual 9.7p1"},
    {C "cve/CVE-2024-6387.json", "openbsd:openssh:9.8p1", NOT_AFFECTED,
     "affected[0] defaultStatus unaffected"},
    /* Written here. */
    {"S7", "Siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:3.0.1", AFFECTED,
     "CSAFPID-0001 by its name without the order number, vers:all/<V3.1.0"},
    {"S7", "Siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.1.0", NONE, "not before V3.1.0"},
    {"S7", "siemens:plc cell 4:V3.0.1;model=6ES7518-4AP00-0AB0", AFFECTED,
     "CSAFPID-0001 by model number"},
    {"S7", "siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.0.1;model=6ES7518-4FP00-0AB0", NONE,
     "the model says CSAFPID-0002 (fixed in V2.9.7), whatever the name"},
    {"S7", "Siemens:SIMATIC S7-1500 CPU 1518F-4 PN/DP:V2.9.6", AFFECTED,
     "CSAFPID-0002 vers:all/<V2.9.7"},
    {"RHSA", "cpe:/o:redhat:enterprise_linux:9::baseos", FIXED,
     "default_component_of BaseOS-9.2.0.Z.MAIN, the relationship products fixed"},
    {"RHSA", "cpe:/o:redhat:enterprise_linux:8::baseos", NONE, "another release"},
    {"RHSA", "pkg:rpm/redhat/openssh@8.7p1-38.el9_4.1", FIXED, "the component itself"},
    {"RHSA", "redhat:openssh:8.7p1-38.el9_4.1", FIXED, "the component by name"},
    {"RHSA", "pkg:rpm/redhat/openssh@8.7p1-30.el9", NONE, "an older build: not named"},
    {"CHAIN", "ACME:Host OS:7", AFFECTED, "libfoo in (Agent installed_on Host OS 7)"},
    {"CHAIN", "ACME:Agent:2.0", AFFECTED, "libfoo default_component_of Agent on Host OS"},
    {"CHAIN", "ACME:libfoo:1.2", AFFECTED, "the component itself"},
    {"CHAIN", "ACME:Host OS:8", NONE, "another version"},
    {"PART-CVE", "linux:linux_kernel:6.1.95", UNDECIDED,
     "the default affected, beside unaffected 6.1.90..6.1.x not understood"},
    {"PART-CVE", "linux:linux_kernel:6.6.40", NOT_AFFECTED, "6.6.30 lessThanOrEqual 6.6.*"},
    {"PART-CSAF", "ACME:Gateway:4.0", UNDECIDED,
     "\"all versions before the spring update\" is no range"},
};
#define N_CASES (sizeof cases / sizeof cases[0])

struct lstate {
    char *dir;
    char loc[4200];
    ts_store_t *st;
    bool corpus;
};

static bool is_written(const char *doc, const char **text)
{
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        if (strcmp(doc, written[i].key) == 0) {
            *text = written[i].text;
            return true;
        }
    return false;
}

/* The advisory id of a document (each holds one). */
static int keep_id(ts_advisory_t *a, void *ctx)
{
    snprintf(ctx, 128, "%s", a->id);
    ts_advisory_free(a);
    return 0;
}

static char *doc_text(const char *doc, size_t *len)
{
    const char *text;
    if (is_written(doc, &text)) {
        *len = strlen(text);
        return strdup(text);
    }
    char *path = tt_corpus_path(doc);
    if (path == NULL)
        return NULL;
    char *d = tt_read_file(path, len);
    free(path);
    return d;
}

static int setup(void **state)
{
    struct lstate *ls = calloc(1, sizeof *ls);
    written[0].text = at_csaf_doc("SSA-TEST-S7", s7_tree, s7_vulns);
    written[1].text = at_csaf_doc("RHSA-TEST", rhsa_tree, rhsa_vulns);
    written[2].text = at_csaf_doc("ACME-CHAIN", chain_tree, chain_vulns);
    written[3].text = at_cve5_doc(part_affected, NULL);
    written[4].text = at_csaf_doc("ACME-PART", part_tree, part_vulns);
    char *probe = tt_corpus_path(X "SOURCES.md");
    ls->corpus = probe != NULL;
    free(probe);
    ls->dir = tt_tmpdir();
    if (ls->dir == NULL || tt_store_fresh(ls->dir, "t.db", ls->loc, sizeof ls->loc) != 0 ||
        ts_store_open(ls->loc, &ls->st) != 0)
        return -1;
    *state = ls;
    return 0;
}

static int teardown(void **state)
{
    struct lstate *ls = *state;
    ts_store_close(ls->st);
    tt_store_drop(ls->loc);
    tt_rmtree(ls->dir);
    free(ls->dir);
    free(ls);
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        free(written[i].text);
    return 0;
}

struct verdict {
    int v;
    char rule[TS_MATCH_RULE_MAX];
};

static int first_row(const ts_adv_row_t *row, void *ctx)
{
    struct verdict *out = ctx;
    if (out->v == NONE) {
        out->v = row->m.undecided ? UNDECIDED : row->m.status;
        snprintf(out->rule, sizeof out->rule, "%s", row->m.rule);
    }
    return 0;
}

static struct verdict verdict_of(ts_store_t *st, int64_t site, const char *adv_id)
{
    struct verdict v = {NONE, ""};
    ts_adv_query_t q = {.site_id = site, .adv_id = adv_id, .all = true};
    assert_int_equal(ts_store_adv_rows_foreach(st, &q, first_row, &v), 0);
    return v;
}

static bool skipped(const struct lstate *ls, const struct lcase *c)
{
    const char *text;
    return !ls->corpus && !is_written(c->doc, &text);
}

static void test_labelled_set(void **state)
{
    struct lstate *ls = *state;
    int64_t before[N_CASES], after[N_CASES];
    char err[512];
    /* One site per case and path: the platform registered before the import... */
    for (size_t i = 0; i < N_CASES; i++) {
        char name[32];
        int64_t pid;
        snprintf(name, sizeof name, "before-%zu", i);
        assert_int_equal(ts_store_site_add(ls->st, name, 0, "", &before[i]), 0);
        snprintf(name, sizeof name, "after-%zu", i);
        assert_int_equal(ts_store_site_add(ls->st, name, 0, "", &after[i]), 0);
        if (ts_adv_platform_add(ls->st, before[i], cases[i].platform, &pid, NULL, err,
                                sizeof err) != 0)
            fail_msg("case %zu: platform \"%s\": %s", i, cases[i].platform, err);
    }
    /* ...each document imported once... */
    char ids[N_CASES][128];
    for (size_t i = 0; i < N_CASES; i++) {
        ids[i][0] = '\0';
        if (skipped(ls, &cases[i]))
            continue;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cases[j].doc, cases[i].doc) == 0)
                memcpy(ids[i], ids[j], sizeof ids[i]);
        if (ids[i][0])
            continue;
        size_t len;
        char *d = doc_text(cases[i].doc, &len);
        assert_non_null(d);
        assert_int_equal(
            ts_advisory_parse_any(d, len, cases[i].doc, keep_id, NULL, ids[i], err, sizeof err), 0);
        ts_adv_import_stats_t s = {0};
        if (ts_adv_import_buffer(ls->st, d, len, cases[i].doc, &s, NULL, NULL) != 0)
            fail_msg("%s: refused", cases[i].doc);
        free(d);
    }
    /* ...and registered after it. */
    for (size_t i = 0; i < N_CASES; i++) {
        int64_t pid;
        if (ts_adv_platform_add(ls->st, after[i], cases[i].platform, &pid, NULL, err, sizeof err) !=
            0)
            fail_msg("case %zu: platform \"%s\": %s", i, cases[i].platform, err);
    }
    size_t run = 0, tp = 0, fp = 0, fn = 0, und_got = 0, und_want = 0, wrong = 0, reasons = 0;
    for (size_t i = 0; i < N_CASES; i++) {
        const struct lcase *c = &cases[i];
        if (skipped(ls, c))
            continue;
        run++;
        struct verdict vb = verdict_of(ls->st, before[i], ids[i]);
        struct verdict va = verdict_of(ls->st, after[i], ids[i]);
        bool want_pos = c->want == AFFECTED || c->want == INVESTIGATING;
        und_want += c->want == UNDECIDED;
        for (int path = 0; path < 2; path++) {
            const struct verdict *v = path ? &va : &vb;
            if (v->v != c->want) {
                wrong++;
                print_error("case %zu: %s on %s: %s (platform added %s the import), labelled %s "
                            "(%s)\n  rule: %s\n",
                            i, c->platform, ids[i], verdicts[v->v], path ? "after" : "before",
                            verdicts[c->want], c->why, v->rule);
            }
        }
        /* the store keeps what the import knew: both paths give one reason */
        if (strcmp(vb.rule, va.rule) != 0) {
            reasons++;
            print_error("case %zu: %s on %s: the reasons differ\n  before: %s\n  after:  %s\n", i,
                        c->platform, ids[i], vb.rule, va.rule);
        }
        /* precision and recall on the import's verdicts (the other path must agree) */
        if (vb.v == UNDECIDED) {
            und_got++;
            continue;
        }
        bool got_pos = vb.v == AFFECTED || vb.v == INVESTIGATING;
        tp += got_pos && want_pos;
        fp += got_pos && !want_pos;
        fn += !got_pos && want_pos;
    }
    if (!ls->corpus)
        print_message("SKIP: corpus absent: %zu of %zu cases skipped\n", N_CASES - run, N_CASES);
    double precision = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
    double recall = tp + fn ? (double)tp / (double)(tp + fn) : 1.0;
    print_message("labelled set: %zu cases, each through both paths (%zu verdicts): precision %.3f "
                  "(%zu/%zu), recall %.3f (%zu/%zu); undecided %zu (labelled %zu); %zu verdicts "
                  "differ from their label\n",
                  run, 2 * run, precision, tp, tp + fp, recall, tp, tp + fn, und_got, und_want,
                  wrong);
    assert_true(run >= (ls->corpus ? 60u : 1u));
    assert_int_equal(fp, 0);
    assert_int_equal(fn, 0);
    assert_int_equal(wrong, 0);
    assert_int_equal(reasons, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_labelled_set, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
