"""The `blindspot` command line: argument parsing and the error contract, nothing else.

Each sub-command lives in `blindspot/commands/<name>.py` as `run(args) -> int`, imported only
when used so that `blindspot report` on a bastion never pays for importing Textual or moto.

Exit codes: 0 success; 1 a `--fail-under` threshold not met; 2 a usage error or an unusable
input (bad flag, missing or corrupt snapshot, unknown resource), reported as one line on
stderr, never a traceback; 3 a collection that finished but is partial (see `errors`);
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from collectors.aws.concurrency import DEFAULT_SERVICE_CONCURRENCY, ENV_SERVICE_CONCURRENCY
from collectors.aws.limits import DEFAULT_CALL_TIMEOUT, DEFAULT_REGION_BUDGET
from collectors.shard import Shard
from snapshot import __version__
from snapshot.model import LAYERS
from snapshot.render import help_text, names

EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A mistake the user can fix; printed as one line, exit code 2."""


#: Every command's `--help` ends with this: what a script can rely on.
EXIT_CODES_EPILOG = """exit codes:
  0    success
  1    a --fail-under threshold was not met (report)
  2    usage error or unusable input (bad option, missing or corrupt snapshot, unknown
       resource), one line on stderr
  3    collection finished but partial: some calls failed (see the snapshot's errors)
  130  interrupted (Ctrl-C)"""


class _HelpFormatter(argparse.HelpFormatter):
    """Keeps the exit-code table as written and says every option's default.

    Text with line breaks (the epilog) is kept as written, the rest is wrapped. An option
    whose help does not mention its default gets `(default: X)`, unless the default is
    nothing to say (None, False, an empty list).
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            text
            and "default" not in text
            and action.option_strings
            and default not in (None, False, [], argparse.SUPPRESS)
        ):
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        if kwargs.get("add_help", True):
            kwargs.setdefault("epilog", EXIT_CODES_EPILOG)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # one line, exit 2, like every user error
        self.exit(EXIT_USAGE, f"blindspot: error: {message} (see `{self.prog} --help`)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100: {value}")
    return value


def _shard(text: str) -> Shard:
    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more seconds: {value}")
    return value


def _add_layer_filter(parser: argparse.ArgumentParser) -> None:
    """`--layer`, repeatable, as report and gaps take it."""
    parser.add_argument(
        "--layer",
        action="append",
        choices=[str(x) for x in LAYERS],
        help="only this layer (repeat for several; default: all)",
    )


def _add_snapshot_file(parser: argparse.ArgumentParser) -> None:
    """The positional snapshot file most commands read."""
    parser.add_argument("file", metavar="FILE", help="snapshot (.json or .json.gz)")


def _add_format(parser: argparse.ArgumentParser, command: str, default: str | None) -> None:
    """`--format` with the formats `command`'s renderers offer; a None default: required."""
    extra: dict[str, Any] = {"required": True} if default is None else {"default": default}
    parser.add_argument("--format", choices=names(command), help=help_text(command), **extra)


def _snapshot_command(
    commands: argparse._SubParsersAction[Any],
    name: str,
    summary: str,
    description: str,
    format_default: str | None,
) -> argparse.ArgumentParser:
    """A command that reads one snapshot FILE and writes it in one of its `--format`s."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description
    )
    _add_snapshot_file(parser)
    _add_format(parser, name, format_default)
    return parser


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="blindspot",
        description="Explore the log coverage of an AWS account or organization, layer by "
        "layer and resource by resource.",
    )
    parser.add_argument("--version", action="version", version=f"blindspot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    ui = _Parser(add_help=False)
    ui.add_argument("--no-mouse", action="store_true", help="do not capture the mouse (SSH)")
    ui.add_argument(
        "--ascii", action="store_true", help="ASCII symbols and borders for plain terminals"
    )

    demo = commands.add_parser(
        "demo",
        parents=[ui],
        help="collect a simulated organization (moto, in process) and explore it",
        description="Build a simulated multi-account AWS organization inside moto, run the "
        "real collectors over it and open the explorer; no AWS account needed.",
    )
    demo.add_argument("--no-ui", action="store_true", help="write the snapshot, open nothing")
    demo.add_argument("-o", "--output", metavar="FILE", help="snapshot file to write")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    demo.add_argument(
        "--size",
        choices=["small", "large"],
        default="small",
        help="small: 4 accounts, 2 regions; large: more accounts and resources",
    )
    demo.add_argument(
        "--drift",
        action="store_true",
        help="collect the demo twice, a week apart, with logging turned off and on in a few "
        "places; writes -o FILE (default: blindspot-demo.json.gz) and FILE.week-later, for "
        "`blindspot diff`; opens nothing",
    )
    demo.add_argument(
        "--aggregator",
        action="store_true",
        help="collect through the organization's AWS Config aggregator (no member role)",
    )

    collect = commands.add_parser(
        "collect",
        help="collect a live snapshot from AWS (read-only)",
        description="Collect resources, relationships and logging status from AWS into a "
        "snapshot file. Read-only; honours AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL.",
    )
    collect.add_argument("-o", "--output", metavar="FILE", required=True, help="'-' for stdout")
    collect.add_argument("--profile", help="AWS profile (default: AWS_PROFILE or default chain)")
    collect.add_argument(
        "--regions", default=None, help="'all' (enabled regions) or r1,r2 (default: AWS_REGION)"
    )
    collect.add_argument("--org", action="store_true", help="every account of the organization")
    collect.add_argument(
        "--role-name",
        default="OrganizationAccountAccessRole",
        help="role assumed in member accounts (default: OrganizationAccountAccessRole)",
    )
    collect.add_argument(
        "--shard",
        type=_shard,
        metavar="I/N",
        help="collect only part I of N of the accounts (deterministic: accounts ordered by id "
        "and dealt out in turn); join the parts with `blindspot merge`",
    )
    collect.add_argument(
        "--external-id",
        metavar="ID",
        help="sts:ExternalId the member roles require (the ExternalId of deploy/'s templates)",
    )
    collect.add_argument("--accounts", type=_csv_list, help="account ids, comma-separated")
    collect.add_argument("--aggregator", metavar="NAME", help="AWS Config aggregator to read")
    collect.add_argument(
        "--config-files", nargs="+", metavar="PATH", help="AWS Config snapshot/history files"
    )
    collect.add_argument(
        "--source",
        choices=["auto", "config", "api"],
        default="auto",
        help="inventory from AWS Config, direct API calls, or Config where it records (auto)",
    )
    collect.add_argument("--workers", type=_positive_int, default=8, help="parallel workers")
    collect.add_argument(
        "--call-timeout",
        type=_seconds,
        default=DEFAULT_CALL_TIMEOUT,
        metavar="S",
        help="seconds an AWS call may take to answer in full, retries included; a service "
        f"that does not is unknown for that region (default: {DEFAULT_CALL_TIMEOUT:g}, 0: none)",
    )
    collect.add_argument(
        "--region-budget",
        type=_seconds,
        default=DEFAULT_REGION_BUDGET,
        metavar="S",
        help="seconds one account-region may take; what is left then is unknown "
        f"(default: {DEFAULT_REGION_BUDGET:g}, 0: none)",
    )
    collect.add_argument(
        "--service-concurrency",
        type=_positive_int,
        default=None,
        metavar="N",
        help="calls in flight at once to one service of one account, all its regions "
        f"together (default: {DEFAULT_SERVICE_CONCURRENCY}, or {ENV_SERVICE_CONCURRENCY}; "
        "0: no limit)",
    )
    collect.add_argument("--quiet", action="store_true", help="no progress display")
    collect.add_argument(
        "--no-coverage", action="store_true", help="inventory only, no logging probes"
    )
    collect.add_argument(
        "--as-of",
        metavar="TIME",
        help="with --config-files or --source config: the coverage AWS Config recorded at "
        "TIME (ISO 8601, UTC when no zone is given); controls Config cannot reconstruct are "
        "unknown",
    )

    explore = commands.add_parser(
        "explore",
        parents=[ui],
        help="open the explorer on a snapshot",
        description="Open the terminal explorer on a snapshot file: the coverage matrix, "
        "the organization tree, resource lists with filters, details with remediation and "
        "traces. ? lists the keys; BLINDSPOT_KEYMAP=id=keys,... remaps them (the ids are "
        "listed by ?).",
    )
    _add_snapshot_file(explore)

    controls = commands.add_parser(
        "controls",
        help="print the coverage catalogue",
        description="Print every logging control blindspot checks: its layer, the resource "
        "types it applies to, baseline or extended, the AWS call that decides it, where the "
        "logs land, and the remediation.",
    )
    _add_format(controls, "controls", "table")

    report = _snapshot_command(
        commands,
        "report",
        "coverage by account and layer",
        "Coverage per account and layer, and totals: (logged + partial/2) / "
        "counted resource-layer statuses. --fail-under makes it a CI gate.",
        "table",
    )
    _add_layer_filter(report)
    report.add_argument(
        "--account",
        action="append",
        metavar="ACCOUNT",
        help="only this account: a 12-digit id or the account's name (repeat for several; "
        "default: all)",
    )
    report.add_argument(
        "--fail-under",
        type=_percent,
        metavar="PCT",
        help="exit 1 when the overall coverage is below PCT (0-100)",
    )

    trace = commands.add_parser(
        "trace",
        help="resources related to one resource, with gaps",
        description="Walk the relationships of RESOURCE (both directions) to --depth hops and "
        "show every resource reached with its per-layer status and gaps.",
    )
    _add_snapshot_file(trace)
    trace.add_argument("resource", metavar="RESOURCE", help="id, ARN, resource id or name")
    trace.add_argument("--depth", type=_positive_int, default=2, help="hops to follow")
    _add_format(trace, "trace", "tree")
    trace.add_argument(
        "--relationship",
        action="append",
        help="follow only relationships whose name starts with this, e.g. 'Is contained in' "
        "(repeat for several; default: all)",
    )
    trace.add_argument(
        "--type",
        action="append",
        dest="types",
        help="enter only resources of this type, e.g. EC2::Subnet or AWS::EC2::Subnet "
        "(repeat for several; default: all)",
    )

    gaps = commands.add_parser(
        "gaps", help="every missing or unknown baseline control, with its fix for that resource"
    )
    gaps.add_argument("file", metavar="FILE")
    _add_format(gaps, "gaps", "table")
    _add_layer_filter(gaps)
    gaps.add_argument("--account", action="append", metavar="ACCOUNT", help="id or name")

    incident = commands.add_parser(
        "incident",
        help="for a resource and its neighbours: logs that hold a time window, and queries",
        description="For RESOURCE and every resource within --depth hops: each log source, "
        "where it lands, whether its retention still holds the window, and a ready-to-run "
        "query with the window filled in; then the blind spots. Times are ISO 8601 (UTC "
        "when no zone is given).",
    )
    incident.add_argument("file", metavar="SNAPSHOT")
    incident.add_argument("resource", metavar="RESOURCE", help="id, ARN, resource id or name")
    incident.add_argument(
        "--from", dest="start", required=True, metavar="TIME", help="start of the window"
    )
    incident.add_argument("--to", dest="end", required=True, metavar="TIME", help="its end")
    incident.add_argument("--depth", type=_positive_int, default=2, help="hops to follow")
    _add_format(incident, "incident", "markdown")

    export = _snapshot_command(
        commands,
        "export",
        "the graph for Gephi, yEd, Graphviz, networkx",
        "Write the resource graph (resources, relationships, per-layer status) "
        "as GraphML, node-link JSON or DOT, or the coverage as OCSF findings.",
        None,
    )
    export.add_argument("-o", "--output", metavar="OUT", required=True, help="'-' for stdout")

    merge = commands.add_parser(
        "merge",
        help="join shards or separate organizations into one snapshot",
        description="Join snapshots (the shards of `collect --shard I/N`, or separately "
        "collected organizations) into one, account by account (an account in several "
        "inputs is taken whole from the newest), then resolve what needs several accounts "
        "at once: organization trails covering member accounts, log-archive separation.",
    )
    merge.add_argument("files", metavar="FILE", nargs="+", help="snapshot files to join")
    merge.add_argument(
        "-o", "--output", metavar="FILE", required=True, help="merged snapshot ('-' for stdout)"
    )

    attack = commands.add_parser(
        "attack",
        help="ATT&CK cloud techniques each account cannot see in its logs",
        description="For each ATT&CK Enterprise technique of the IaaS platform: the data "
        "components its detections need and, per account, covered / partial / blind with the "
        "controls that would close each blind spot.",
    )
    attack.add_argument("file", metavar="FILE")
    attack.add_argument("--account", action="append", metavar="ACCOUNT", help="id or name")
    _add_format(attack, "attack", "table")

    completion = commands.add_parser(
        "completion",
        help="a shell completion script (bash, zsh, fish)",
        description="Print a completion script for the commands and options: "
        'eval "$(blindspot completion bash)"; see blindspot/commands/completion.py.',
    )
    completion.add_argument("shell", choices=["bash", "zsh", "fish"])

    diff = commands.add_parser(
        "diff",
        help="coverage that changed between two snapshots",
        description="Compare two snapshots of the same organization: resources added and "
        "removed, and every control whose status changed (logging turned off or on). "
        "`blindspot demo --drift` writes a pair to try it on.",
    )
    diff.add_argument("old", metavar="OLD", help="the earlier snapshot")
    diff.add_argument("new", metavar="NEW", help="the later snapshot")
    _add_format(diff, "diff", "table")
    # A command added without a description shows its one-line help as one.
    for choice in commands._choices_actions:
        sub = commands.choices[choice.dest]
        if not sub.description and choice.help:
            sub.description = choice.help[0].upper() + choice.help[1:] + "."
    return parser


def _message(exc: Exception) -> str:
    """The error's text; only a message wholly wrapped in quotes (a KeyError's) loses them,
    so "'web' matches 2 resources ... 'web'" keeps both of its quotes."""
    text = str(exc)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and text.count(text[0]) == 2:
        return text[1:-1]
    return text


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    """One line on stderr: whatever the message holds (a file name with an escape, a newline
    in an account name, a password echoed by an endpoint), it stays one clean line."""
    from snapshot.sanitize import safe_message

    sys.stderr.write(f"blindspot: {safe_message(message, 2000)}\n")
    return code


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so atomic writes remove their temporary file."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def _prepare_process() -> None:
    """Streams that cannot take UTF-8 get ASCII stand-ins; SIGTERM/SIGHUP unwind cleanly."""
    import signal

    from blindspot.encoding import use_ascii_fallback

    use_ascii_fallback(sys.stdout)
    use_ascii_fallback(sys.stderr)
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _on_signal)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        _prepare_process()
    parser = build_parser()
    args = parser.parse_args(argv)
    # Run as the process itself (console script, `python -m blindspot`), not called in
    # process with arguments (tests): `collect` may then end the process at once on Ctrl-C.
    args.owns_process = argv is None
    from snapshot.graph import ResolveError
    from snapshot.io import SnapshotError
    from snapshot.settings import SettingError

    module_name = f"blindspot.commands.{args.command}"
    try:
        if getattr(args, "output", None) is not None:
            from blindspot.outputs import check_output

            check_output(args.output)  # before any work: a typo must not cost a collection
        module = importlib.import_module(module_name)
        return int(module.run(args) or 0)
    except (SnapshotError, ResolveError, UsageError, SettingError) as exc:
        return _fail(_message(exc))
    except Terminated as exc:
        return _fail("terminated: nothing partial was left behind", 128 + exc.signum)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        # `blindspot report x | head`: stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
