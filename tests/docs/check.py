#!/usr/bin/python3
"""tests/docs/check.py USHER - the docs follow the code, mechanically, as TAP.

The truth is the code: the option table (src/config_opts.c), the defaults the binary
really uses (`usher --dry-run` in an empty environment), the environment twins it really
reads, the exit statuses (include/usher.h), the result statuses and fields
(src/report_json.c). Against it: `usher --help`, README.md, docs/usher.1 and
docs/result.schema.json, both ways (nothing missing, nothing documented that is not
there). Every rule is generic: an option, status or field added to the code must be
documented, and the test names what is missing where.
"""
import json
import os
import re
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
USHER = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(TOP, 'build/usher')
n = failed = 0


def tap(problems, desc):
    global n, failed
    n += 1
    print(f"{'not ok' if problems else 'ok'} {n} - {desc}")
    failed += bool(problems)
    for p in problems:
        print(f'#   {p}')


def read(rel):
    return open(os.path.join(TOP, rel)).read()


def twin(name):
    return 'USHER_' + name.upper().replace('-', '_')


# --- the truth -------------------------------------------------------------------------

def option_table():
    """[{name, short, arg, commands, meta, help}] from src/config_opts.c's options[]."""
    text = read('src/config_opts.c')
    body = text[text.index('options[] = {'):]
    body = body[:body.index('\n};')]
    rows = []
    for m in re.finditer(r'\{"([a-z0-9-]+)", (0|\'.\'), (ARG_\w+), ([\w |]+), (NULL|"(?:[^"\\]|\\.)*"), '
                         r'"((?:[^"\\]|\\.)*)", \w+\}', body):
        rows.append({'name': m.group(1), 'short': m.group(2).strip("'") if m.group(2) != '0' else None,
                     'arg': m.group(3), 'commands': m.group(4), 'meta': None if m.group(5) == 'NULL' else m.group(5)[1:-1],
                     'help': m.group(6).replace('\\\\', '\\')})
    if len(rows) != body.count('\n\t{"'):
        sys.exit(f'check.py: read {len(rows)} rows of options[], the table has {body.count(chr(10) + chr(9) + "{")}')
    return rows


def shim(row):
    return 'FOR_SHIM' in row['commands'] or 'FOR_ALL' in row['commands']


def dry_run(env=None, args=()):
    p = subprocess.run([USHER, '--dry-run', *args, '--', 'p'], env=env or {}, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def actual_default(defaults, name):
    """The value --dry-run shows for an option, or KeyError."""
    key = name.replace('-', '_')
    special = {'quiet': lambda d: d['verbosity'] < 0, 'verbose': lambda d: d['verbosity'] > 0}
    if name in special:
        return 'verbosity', special[name](defaults)
    for k in (key, key + '_ms', key + 's'):
        if k in defaults:
            return k, defaults[k]
    raise KeyError(name)


def size(s):
    m = re.fullmatch(r'(\d+)([KMG]?)', s, re.I)
    return int(m.group(1)) << {'': 0, 'K': 10, 'M': 20, 'G': 30}[m.group(2).upper()] if m else None


def same(doc, key, value, submission):
    """Does the documented default `doc` say `value` (the dry-run's, under `key`)?"""
    doc = doc.strip().strip('`').strip()
    if value is None:
        return doc.lower() in ('none', '')
    if isinstance(value, bool):
        return doc.lower() == ('on' if value else 'off')
    if isinstance(value, list):
        if doc.lower() == 'none':
            return value == []
        items = [x for x in doc.split(',')]
        if items[-1] == '...':
            return value[:len(items) - 1] == items[:-1]
        return value == items
    if isinstance(value, dict):  # rlimits: name -> {soft, hard}
        want = {}
        for item in doc.split(','):
            name, _, lim = item.partition('=')
            soft, _, hard = lim.partition(':')
            want[name] = {'soft': size(soft), 'hard': size(hard or soft)}
        return want == value
    if isinstance(value, int):
        if key.endswith('_ms'):
            m = re.fullmatch(r'(\d+)(?:\.(\d{1,3}))?', doc.split()[0])
            return bool(m) and int(m.group(1)) * 1000 + int((m.group(2) or '0').ljust(3, '0')) == value
        return size(doc.split()[0]) == value
    return doc.replace('DIR', submission) == value


# --- the docs --------------------------------------------------------------------------

def help_lines(text):
    """{name: (short, meta, help, twin)} from --help's option lines."""
    out = {}
    for m in re.finditer(r'^  (?:-(\w), |    )--([a-z0-9-]+)(?: (\S+))? +(.*?) \[(USHER_\w+)\]$', text, re.M):
        # The shim's line first: usher run's options of the same name come after it.
        out.setdefault(m.group(2), (m.group(1), m.group(3), m.group(4), m.group(5)))
    return out


def cells(row):
    return [c.strip() for c in re.split(r'(?<!\\)\|', row.strip())[1:-1]]


def section(text, heading):
    """The text of a markdown section: from its heading to the next heading as high."""
    start = text.index(heading)
    level = heading.split(' ')[0]
    m = re.search(r'^#{1,%d} ' % len(level), text[start + len(heading):], re.M)
    return text[start:start + len(heading) + m.start()] if m else text[start:]


def readme_options(text):
    """{name: documented default or None} from README.md's option table (## Usage; usher
    run's own table is under ## Running the learner's code)."""
    out = {}
    for line in section(text, '## Usage').splitlines():
        if not line.startswith('| `-'):
            continue
        c = cells(line)
        names = re.findall(r'`--([a-z0-9-]+)', c[0])
        vals = re.findall(r'`([^`]*)`', c[1]) or ([c[1]] if c[1] else [])
        for i, name in enumerate(names):
            out[name] = vals[i] if len(vals) == len(names) else (vals[0] if vals and i == 0 else None)
    return out


def man_text(lines):
    """Roff lines -> text: font macros joined as they render, escapes resolved."""
    words = []
    for line in lines:
        m = re.match(r'^\.(B|I|BI|BR|IR|RB|RI|IB)\s+(.*)$', line)
        if m:
            args = re.findall(r'"([^"]*)"|(\S+)', m.group(2))
            parts = [a or b for a, b in args]
            words.append((' ' if m.group(1) in ('B', 'I') else '').join(parts))
        elif not line.startswith('.'):
            words.append(line)
    text = ' '.join(words)
    return text.replace('\\-', '-').replace('\\e', '\\').replace('\\(en', '–').replace('\\fR', '').replace('\\fP', '')


def man_section(text, name):
    m = re.search(r'^\.SH ' + re.escape(name) + r'\n(.*?)(?=^\.SH )', text, re.M | re.S)
    return m.group(1) if m else ''


def man_items(section):
    """[(header text, body text)] of the .TP items of a man section (.TQ joins headers)."""
    items = []
    for block in re.split(r'^\.TP\n', section, flags=re.M)[1:]:
        lines = block.split('\n')
        head = [lines[0]]
        i = 1
        while i < len(lines) and lines[i] == '.TQ':
            head.append(lines[i + 1])
            i += 2
        body = re.split(r'^\.(?:SS|PP)\b', '\n'.join(lines[i:]), flags=re.M)[0]
        items.append((man_text(head), man_text(body.split('\n'))))
    return items


def man_default(body):
    m = re.search(r'(?:^|\s)(\S+) \(the default[):]', body)  # "auto (the default) draws..."
    if m:
        return [m.group(1)]
    m = re.search(r'\bDefaults (.+?)\.(?:\s|$)', body)
    if m:
        return re.split(r', | and ', m.group(1))
    m = re.search(r'\bDefault (.+?)(?:[.,;](?:\s|$)|\s\()', body)
    return [m.group(1)] if m else None


# --- the checks ------------------------------------------------------------------------

def main():
    table = option_table()
    names = {r['name'] for r in table}
    help_text = subprocess.run([USHER, '--help'], env={}, capture_output=True, text=True).stdout
    rc, out, err = dry_run()
    if rc != 0:
        sys.exit(f'check.py: usher --dry-run failed: {err}')
    defaults = json.loads(out)
    submission = defaults['submission']
    readme, man = read('README.md'), read('docs/usher.1')

    # --help
    h = help_lines(help_text)
    p = [f'--help does not list --{x}' for x in sorted(names - set(h))]
    p += [f'--help lists --{x}, which the option table does not have' for x in sorted(set(h) - names)]
    for r in table:
        if r['name'] in h:
            short, meta, _, tw = h[r['name']]
            if tw != twin(r['name']):
                p.append(f'--help: --{r["name"]} says [{tw}], its twin is {twin(r["name"])}')
            if short != r['short'] or meta != r['meta']:
                p.append(f'--help: --{r["name"]} shows -{short} {meta}, the table -{r["short"]} {r["meta"]}')
    tap(p, f'--help lists the {len(table)} options of the table, each with its USHER_ twin')

    # The twins really work: a value through the variable reaches the configuration, or
    # is refused naming the variable.
    p = []
    for r in table:
        if not shim(r) or r['name'] == 'dry-run':
            continue
        rc, out, err = dry_run({twin(r['name']): 'zq9'})
        # Refused: the line names the variable, or at least the value it came with.
        if not (rc == 0 and 'zq9' in out) and not (rc == 125 and (twin(r['name']) in err or 'zq9' in err)):
            p.append(f'{twin(r["name"])}=zq9: neither in the configuration nor refused (exit {rc}): {err.strip()}')
    tap(p, 'every shim option\'s USHER_ twin is read')

    # Defaults: --help "(X)", README's default column, usher(1) "Default X", against --dry-run.
    man_opts = man_items(man_section(man, 'OPTIONS'))
    man_by_name = {}
    for head, body in man_opts:
        for name in re.findall(r'--([a-z0-9-]+)', head):
            man_by_name[name] = (head, body, list(dict.fromkeys(re.findall(r'--([a-z0-9-]+)', head))))
    rm = readme_options(readme)
    p, checked = [], 0
    for r in table:
        if not shim(r):
            continue  # usher run's: no --dry-run to hold them against (60-run.t runs them)
        try:
            key, value = actual_default(defaults, r['name'])
        except KeyError:
            continue  # no key in --dry-run to hold the docs against (deliver, doctor)
        flag = r['arg'] == 'ARG_NONE'
        has = not (value is None or value == [] or value is False) and not flag
        docs = []
        hm = re.search(r'\(([^()]*)\)$', h.get(r['name'], ('', '', '', ''))[2])
        docs.append(('--help', hm.group(1) if hm and not flag else None))
        docs.append(('README.md', rm.get(r['name'])))
        if r['name'] in man_by_name:
            head, body, group = man_by_name[r['name']]
            d = man_default(body)  # "Defaults A, B and C." for a group of options
            docs.append(('usher(1)', d[group.index(r['name'])] if d and len(d) == len(group) else None))
        for where, doc in docs:
            if doc is None:
                if has:
                    p.append(f'{where}: --{r["name"]} has no documented default (it is {value!r})')
                continue
            checked += 1
            if not same(doc, key, value, submission):
                p.append(f'{where}: --{r["name"]} defaults to {doc!r}, the binary to {value!r}')
    tap(p, f'documented defaults are the binary\'s ({checked} compared)')

    # README and usher(1) document every option, and no other.
    p = []
    for r in table:
        if r['name'] not in rm and not (not shim(r) and f'--{r["name"]}' in readme):
            p.append(f'README.md does not document --{r["name"]}')
    p += [f'README.md documents --{x}, which the option table does not have' for x in sorted(set(rm) - names)]
    man_all = set(re.findall(r'\\-\\-([a-z0-9\\-]+)', man))
    man_all = {x.replace('\\-', '-') for x in man_all}
    for r in table:
        if r['name'] not in man_by_name and not (not shim(r) and r['name'] in man_all):
            p.append(f'usher(1) OPTIONS has no entry for --{r["name"]}')
    p += [f'usher(1) documents --{x}, which the option table does not have'
          for x in sorted(set(man_by_name) - names)]
    if 'USHER_WAIT_TIMEOUT' not in man or 'USHER_WAIT_TIMEOUT' not in readme:
        p.append('the environment twin rule (--wait-timeout is USHER_WAIT_TIMEOUT) is not stated')
    tap(p, 'README.md and usher(1) document every option of the table, and no other')

    # Exit statuses: include/usher.h's (EXIT_USHER_* the shim's, the others a
    # subcommand's, which --help's shim paragraph need not list), the grader's own, 128+N.
    usher_h = read('include/usher.h')
    codes = {int(v) for v in re.findall(r'EXIT_\w+ = (\d+)', usher_h)}
    shim_codes = {str(v) for v in re.findall(r'EXIT_USHER_\w+ = (\d+)', usher_h)} | {'0–123', '128+N'}
    want = {str(c) for c in codes} | {'0–123', '128+N'}
    readme_exit = section(readme, '### Exit status')
    in_readme = {cells(l)[0].replace('-', '–') for l in readme_exit.splitlines()[4:] if l.startswith('| ')}
    in_man = {head for head, _ in man_items(man_section(man, 'EXIT STATUS'))}
    p = [f'README.md exit table lacks {c}' for c in sorted(want - in_readme)]
    p += [f'README.md exit table has {c}, not a status usher has' for c in sorted(in_readme - want)]
    p += [f'usher(1) EXIT STATUS lacks {c}' for c in sorted(want - in_man)]
    p += [f'usher(1) EXIT STATUS has {c}, not a status usher has' for c in sorted(in_man - want)]
    help_exit = help_text[help_text.index('Exit status'):].replace('-', '–')
    p += [f'--help does not mention exit status {c}' for c in sorted(shim_codes) if c not in help_exit]
    tap(p, f'exit statuses {sorted(codes)}, 0–123 and 128+N: README.md, usher(1) and --help')

    # Result statuses and fields.
    schema = json.loads(read('docs/result.schema.json'))
    statuses = re.findall(r'case ST_\w+: return "(\w+)";', read('src/report_json.c'))
    in_schema = schema['properties']['status']['enum']
    result_man = man_section(man, 'RESULT FILE')
    man_items_rf = dict(man_items(result_man))
    in_man = set(re.findall(r'[a-z_]+', man_items_rf.get('status', '')))
    p = [f'status {s} is not in the schema' for s in statuses if s not in in_schema]
    p += [f'the schema has status {s}, which status_name() does not' for s in in_schema if s not in statuses]
    p += [f'usher(1) RESULT FILE does not list status {s}' for s in statuses if s not in in_man]
    p += [f'the schema does not explain status {s}' for s in statuses
          if not re.search(r'\b' + s + r'\b', schema['properties']['status'].get('description', ''))]
    tap(p, f'result statuses ({len(statuses)}): status_name(), the schema and usher(1)')

    p = []
    emitted = set(re.findall(r'jb_k\w+\([^,]+, "(\w+)"', read('src/report_json.c')))
    emitted |= set(re.findall(r'jb_key\([^,]+, "(\w+)"\)', read('src/report_json.c')))

    def props(node, prefix=''):
        out = {}
        for alt in [node] + node.get('oneOf', []) + ([node['items']] if 'items' in node else []):
            for k, v in alt.get('properties', {}).items():
                out[prefix + k] = v
                out.update(props(v, prefix + k + '.'))
        return out
    all_props = props(schema)
    leaf = {k.split('.')[-1] for k in all_props}
    p += [f'report_json.c writes "{k}", which the schema does not define' for k in sorted(emitted - leaf)]
    for path in sorted(all_props):
        parts = path.split('.')
        if len(parts) == 1:
            if parts[0] not in man_items_rf:
                p.append(f'usher(1) RESULT FILE has no entry for {path}')
        elif parts[-1] not in re.findall(r'[a-z_]+', man_items_rf.get(parts[0], '')):
            p.append(f'usher(1) RESULT FILE: {parts[0]} does not name {parts[-1]}')
    p += [f'usher(1) RESULT FILE documents {k}, which the schema does not define'
          for k in man_items_rf if k not in schema['properties']]
    tap(p, f'result fields ({len(all_props)}): report_json.c, the schema and usher(1)')

    # usher run: its options in its README section and usher(1) USHER RUN; its statuses
    # in run_meta.c, the meta schema and usher(1).
    run_readme = section(readme, "## Running the learner's code")
    run_man = man_text(man_section(man, 'USHER RUN').split('\n'))
    p = []
    for r in table:
        if 'FOR_RUN' not in r['commands'] or r['short']:
            continue
        if f'--{r["name"]}' not in run_readme:
            p.append(f'README.md "Running the learner\'s code" does not document --{r["name"]}')
        if f'--{r["name"]}' not in run_man:
            p.append(f'usher(1) USHER RUN does not document --{r["name"]}')
    run_statuses = re.findall(r'\[RUN_\w+\] = "(\w+)"', read('src/run_meta.c'))
    meta_schema = json.loads(read('tests/schemas/run-meta.schema.json'))
    p += [f'run status {x} is not in run-meta.schema.json' for x in run_statuses
          if x not in meta_schema['properties']['status']['enum']]
    p += [f'usher(1) USHER RUN does not list run status {x}' for x in run_statuses if x not in run_man]
    tap(p, f'usher run: options in README.md and usher(1), {len(run_statuses)} statuses in the schema and usher(1)')

    print(f'1..{n}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
