"""One fresh interpreter's cold start, timed inside the process (run as a script, never
imported). Before the clock starts it imports nothing the handler might need: the spec and
events arrive as `marshal` data, a builtin module.

    python bench/probe.py SPEC OUT

SPEC (marshal): {"path": [dirs put first on sys.path, like /var/task and /opt/python],
"module": "app", "attribute": "handler", "events": [event, ...], "requests": n,
"function": name, "memory_mb": n}. The first event is the first request; `requests` more
requests cycle over all events (the memory measurement). OUT receives one JSON object.
"""

import marshal
import sys
import time


class Context:
    """What the Lambda runtime passes as `context`."""

    def __init__(self, name: str, memory_mb: int, request: int) -> None:
        self.function_name = name
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = f"c0ffee00-0000-4000-8000-{request:012d}"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.function_version = "$LATEST"
        self.log_group_name = f"/aws/lambda/{name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _status(answer: object) -> int:
    if isinstance(answer, dict):
        if "statusCode" in answer:
            return int(answer["statusCode"])
        if "policyDocument" in answer:  # an authorizer's policy
            return 200
    return 0


def _peak_rss_kb() -> int:
    """This process's peak RSS. Linux keeps the parent's peak in ru_maxrss across fork and
    exec, so the process's own high-water mark (VmHWM) is read where there is one."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> None:
    with open(sys.argv[1], "rb") as file:
        spec = marshal.load(file)  # noqa: S302  (written by bench/cold.py)
    sys.path[0:1] = spec["path"]  # the script's own directory is no function's
    events = spec["events"]
    name, memory = spec["function"], spec["memory_mb"]

    started = time.perf_counter()
    module = __import__(spec["module"])
    handler = getattr(module, spec["attribute"])
    imported = time.perf_counter()
    status = _status(handler(events[0], Context(name, memory, 0)))
    answered = time.perf_counter()

    loaded = set(sys.modules)
    statuses: dict[int, int] = {}
    for n in range(spec["requests"]):
        got = _status(handler(events[n % len(events)], Context(name, memory, n + 1)))
        statuses[got] = statuses.get(got, 0) + 1

    import json

    result = {
        "import_ms": (imported - started) * 1000,
        "first_ms": (answered - started) * 1000,
        "status": status,
        "modules": len(loaded),
        "loaded": sorted(m for m in ("boto3", "pydantic", "aws_xray_sdk") if m in loaded),
        "statuses": {str(k): v for k, v in statuses.items()},
        "maxrss_kb": _peak_rss_kb(),
    }
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
