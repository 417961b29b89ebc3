#!/usr/bin/env python3
"""Every row of issue 8's table in one run: the two commands of a row run alternately (A B A B ...), and each row
reports both medians, the ratio of the medians, and each side's median peak RSS (GNU /usr/bin/time -v).

usage: bench/run.py [--runs N] [--smoke] [--work DIR] [--json PATH] [--svg PATH [--before OLD.json]] [--rows convert,cp,...]
                    [--bignet-cfg PATH ...] [--bignet-formats npy,npz] [--bignet-baseline DARKNET]
       bench/run.py --chart-only RUN.json OUT.svg [--before OLD.json]

  --smoke   every row once, on a tiny custom model (a 2-layer cfg) instead of a yolov3-sized file: seconds of work per
            row, for CI (so the harness does not rot). Figures from a smoke run mean nothing.
  --work    scratch folder (default: a new temp folder; kept, so a re-run reuses the synthetic weights)

Rows (A vs B):
  convert    darknet convert  vs  bench/numpy_peer.py (the seed's algorithm; OPENBLAS_CORETYPE/L2_SIZE unset for it)
  cp         darknet convert  vs  cp of the same .weights file
  cold       dotnet build of an app with <DarknetModel Include="yolov3" /> on an empty machine cache, weights from a
             loopback mirror  vs  the manual pipeline: curl, sha256sum, numpy peer, build of the app without the package
             (which lists the .npy as Content)
  warm       a second project with the same model on a warm cache  vs  the app without the package (both clean builds)
  noop       a rebuild with nothing changed  vs  the same of the app without the package
  reader     ModelFile.Load + a checksum of every float, from a file and from an embedded resource (peak RSS)
  disk       bytes on disk (distinct inodes) of the cache and a project with two target frameworks after one build
  bignets    darknet convert of yolov3, yolov4-p6 and cspx-p7-mish (synthetic weights of their exact sizes), the three
             in turn (yolov3 p6 p7 yolov3 ...), per format: wall, CPU, MB/s of weights, peak RSS. A cfg is looked for
             in shared/darknet/cfg{,-alexeyab} beside the repository, or given with --bignet-cfg PATH (named by its file
             name: yolov4-p6.cfg is only in AlexeyAB's repository); a network without its cfg is skipped, and said so.
             --bignet-baseline DARKNET adds another build of the tool (an earlier commit's) to the turns, so a change's
             before and after come from one run under the same load. --smoke runs the tiny model under each name.
Both sides of the build rows are restored once beforehand; each timed build is `dotnet build -c Release --no-restore`.
"""
import argparse
import datetime
import functools
import hashlib
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, 'bench')
YOLOV3_SIZE = 248007048
MIB = 1024 * 1024

TINY_CFG = """[net]
width=32
height=32
channels=3

[convolutional]
batch_normalize=1
filters=16
size=3
stride=1
pad=1
activation=leaky

[convolutional]
filters=8
size=1
stride=1
activation=linear
"""
TINY_SIZE = 20 + 4 * ((4 * 16 + 16 * 3 * 9) + (8 + 8 * 16))

BIGNETS = (  # network, its cfg's file name, its .weights' size: the 20-byte header + 4 x the floats the cfg reads
    ('yolov3', 'yolov3.cfg', YOLOV3_SIZE),
    ('yolov4-p6', 'yolov4-p6.cfg', 20 + 4 * 127717040),
    ('cspx-p7-mish', 'cspx-p7-mish.cfg', 20 + 4 * 276555572),
)

TARGETS = {  # row -> (kind, target, aim, text)
    'convert': ('ratio', 0.33, 0.2, '<= 0.33x (aim 0.2x)'),
    'cp': ('ratio', 2.5, 1.5, '<= 2.5x (aim 1.5x)'),
    'memory': ('mib', 100, None, '<= 100 MiB'),
    'cold': ('ratio', 0.75, None, '<= 0.75x'),
    'warm': ('ratio', 1.15, None, '<= 1.15x'),
    'noop': ('ratio', 1.05, None, '<= 1.05x'),
    'reader-file': ('data', 1.2, None, '<= 1.2x the float data'),
    'reader-resource': ('data', 1.2, None, '<= 1.2x the float data'),
    'disk': ('copies', None, None, 'cache: 1 weights + 1 conversion; 1 real copy per output folder'),
    'bignets': ('bignets', 150, None, 'peak RSS < 150 MiB; MB/s within noise of yolov3'),
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def base_env():
    env = dict(os.environ)
    env.update(DOTNET_CLI_TELEMETRY_OPTOUT='1', DOTNET_NOLOGO='1', MSBUILDDISABLENODEREUSE='1',
               DOTNET_SKIP_FIRST_TIME_EXPERIENCE='1')
    return env


def run(cmd, cwd=None, env=None, quiet=True):
    """Runs a setup command (not timed); raises with its output on failure."""
    p = subprocess.run(cmd, cwd=cwd, env=env or base_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError('%s failed (%d):\n%s' % (' '.join(cmd), p.returncode, p.stdout[-4000:]))
    return p.stdout


def timed(cmd, cwd=None, env=None):
    """(wall seconds, peak RSS in MiB, CPU seconds = user + system) of one command under GNU time -v; raises on failure.
    CPU time is reported next to wall time because it barely moves when other jobs share the cores."""
    fd, report = tempfile.mkstemp(suffix='.time')
    os.close(fd)
    try:
        start = time.perf_counter()
        p = subprocess.run(['/usr/bin/time', '-v', '-o', report] + cmd, cwd=cwd, env=env or base_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            raise RuntimeError('%s failed (%d):\n%s' % (' '.join(cmd), p.returncode, p.stdout[-4000:]))
        rss, cpu = 0.0, 0.0
        with open(report) as f:
            for line in f:
                if 'Maximum resident set size' in line:
                    rss = int(line.rsplit(':', 1)[1]) / 1024
                elif line.strip().startswith(('User time', 'System time')):
                    cpu += float(line.rsplit(':', 1)[1])
        return wall, rss, cpu
    finally:
        os.remove(report)


def pipeline(steps):
    """Several commands one after the other: summed wall and CPU, largest peak RSS."""
    total, peak, cpu = 0.0, 0.0, 0.0
    for cmd, cwd, env in steps:
        wall, rss, c = timed(cmd, cwd, env)
        total += wall
        peak = max(peak, rss)
        cpu += c
    return total, peak, cpu


def alternate(runs, a, b, prepare_a=None, prepare_b=None):
    """Runs a and b alternately `runs` times each (setup untimed); returns the lists of (wall, rss, cpu)."""
    ra, rb = [], []
    for _ in range(runs):
        for prepare, measure, into in ((prepare_a, a, ra), (prepare_b, b, rb)):
            if prepare:
                prepare()
            into.append(measure())
    return ra, rb


def summary(name, label_a, label_b, ra, rb):
    ma, mb = statistics.median(w for w, _, _ in ra), statistics.median(w for w, _, _ in rb)
    ca, cb = statistics.median(c for _, _, c in ra), statistics.median(c for _, _, c in rb)
    return dict(row=name, a=label_a, b=label_b, median_a=ma, median_b=mb, ratio=ma / mb,
                cpu_a=ca, cpu_b=cb, cpu_ratio=ca / cb if cb > 0 else None,
                rss_a=statistics.median(r for _, r, _ in ra), rss_b=statistics.median(r for _, r, _ in rb),
                runs_a=[round(w, 3) for w, _, _ in ra], runs_b=[round(w, 3) for w, _, _ in rb])


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


def find_shared_cfg(name, folders=('cfg',)):
    d = REPO
    while d != os.path.dirname(d):
        d = os.path.dirname(d)
        for folder in folders:
            path = os.path.join(d, 'shared', 'darknet', folder, name)
            if os.path.isfile(path):
                return path
    return None


class Mirror:
    """A loopback HTTP server over one folder (the weights mirror), on a free port, in a thread."""

    def __init__(self, folder):
        handler = functools.partial(_QuietHandler, directory=folder)
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.url = 'http://127.0.0.1:%d/' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


PROGRAM = 'System.Console.WriteLine(System.IO.File.Exists(System.IO.Path.Combine(System.AppContext.BaseDirectory, "%s")));\n'


def app_project(folder, model_items, frameworks='net10.0', package=None, extra_items='', mirror=None):
    """A console app; with package: Darknet.Build referenced and the model items; else the extra items (plain MSBuild)."""
    tfm = '<TargetFrameworks>%s</TargetFrameworks>' % frameworks if ';' in frameworks else '<TargetFramework>%s</TargetFramework>' % frameworks
    items = ''
    if package:
        items = '    <PackageReference Include="Darknet.Build" Version="%s" PrivateAssets="all" />\n%s' % (package, model_items)
    items += extra_items
    props = '    <DarknetMirror>%s</DarknetMirror>\n' % mirror if mirror else ''
    write(os.path.join(folder, 'App.csproj'), """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    %s
    <Nullable>enable</Nullable>
%s  </PropertyGroup>
  <ItemGroup>
%s  </ItemGroup>
</Project>
""" % (tfm, props, items))


def clean_build_outputs(folder):
    """Removes bin/ and obj/'s build folders but keeps the restore's files (project.assets.json...)."""
    rmtree(os.path.join(folder, 'bin'))
    obj = os.path.join(folder, 'obj')
    if os.path.isdir(obj):
        for name in os.listdir(obj):
            if os.path.isdir(os.path.join(obj, name)):
                rmtree(os.path.join(obj, name))


def disk_usage(names, *roots):
    """(bytes on disk counting each inode once, {inode: [paths]} of the files called one of names)."""
    seen, big, total = set(), {}, 0
    for root in roots:
        for d, _, files in os.walk(root):
            for name in files:
                path = os.path.join(d, name)
                st = os.lstat(path)
                key = (st.st_dev, st.st_ino)
                if name in names:
                    big.setdefault(key, []).append(os.path.relpath(path, os.path.dirname(root)))
                if key in seen:
                    continue
                seen.add(key)
                total += st.st_blocks * 512
    return total, big


class Bench:
    def __init__(self, args):
        self.args = args
        self.smoke = args.smoke
        self.runs = 1 if args.smoke else args.runs
        self.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix='darknet-bench-'))
        os.makedirs(self.work, exist_ok=True)
        self.env = base_env()
        self.results = []
        self.version = '0.1.0-bench.%d' % int(time.time())

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    # ---------- setup ----------

    def setup(self):
        log('bench: scratch folder', self.work)
        missing = [package for tool, package in (('/usr/bin/time', 'time'), ('curl', 'curl'), ('sha256sum', 'coreutils'))
                   if not shutil.which(tool)]
        if not (shutil.which('clang') or shutil.which('gcc')):
            missing.append('clang')  # links the tool's native AOT build (install_cli)
        if missing:
            log('bench: installing', ' '.join(missing))
            sudo = [] if os.geteuid() == 0 else ['sudo']
            env = dict(self.env, DEBIAN_FRONTEND='noninteractive')
            run(sudo + ['apt-get', 'update', '-qq'], env=env)
            run(sudo + ['apt-get', 'install', '-y', '-qq'] + missing, env=env)
        if self.smoke:
            self.cfg = self.path('tiny.cfg')
            write(self.cfg, TINY_CFG)
            self.size = TINY_SIZE
            self.weights_name = 'tiny.weights'
        else:
            self.cfg = os.environ.get('CFG') or find_shared_cfg('yolov3.cfg')
            if not self.cfg:
                raise SystemExit('bench: no yolov3.cfg found (shared/darknet/cfg beside the repo); set CFG=')
            self.size = YOLOV3_SIZE
            self.weights_name = 'yolov3.weights'
        self.weights = self.path('mirror', self.weights_name)
        os.makedirs(self.path('mirror'), exist_ok=True)
        if not os.path.exists(self.weights) or os.path.getsize(self.weights) != self.size:
            log('bench: writing a synthetic %d-byte %s' % (self.size, self.weights_name))
            run(['/usr/bin/python3', os.path.join(BENCH, 'make_weights.py'), self.weights, str(self.size)])
        self.sha256 = sha256_of(self.weights)
        self.floats = (self.size - 20) // 4

        self.install_cli()
        self.peer_env = dict(self.env)
        self.peer_env.pop('OPENBLAS_CORETYPE', None)
        self.peer_env.pop('OPENBLAS_L2_SIZE', None)

    def source_copy(self):
        """build/ and src/ copied once per run, so packing never races the repository's own bin/ and obj/."""
        src = self.path('src-copy')
        if getattr(self, '_copied', False):
            return src
        rmtree(src)
        for part in ('build', 'src'):
            shutil.copytree(os.path.join(REPO, part), os.path.join(src, part), ignore=shutil.ignore_patterns('bin', 'obj'))
        shutil.copy(os.path.join(REPO, 'Directory.Build.props'), src)
        self._copied = True
        return src

    def install_cli(self):
        """The tool as users get it: the README's pack lines for Darknet.Cli, then `dotnet tool install` from that feed
        (on linux-x64 the native AOT package, elsewhere the portable one)."""
        src, feed = self.source_copy(), self.path('feed')
        project = os.path.join(src, 'src', 'Darknet.Cli')
        common = ['-c', 'Release', '-o', feed, '-p:Version=' + self.version, '-nodeReuse:false', '-v:q', '-nologo']
        log('bench: packing and installing the darknet tool %s' % self.version)
        run(['dotnet', 'pack', project] + common, cwd=src)
        run(['dotnet', 'pack', project, '-r', 'any', '-p:PublishAot=false'] + common, cwd=src)
        if sys.platform.startswith('linux') and platform.machine() == 'x86_64':
            run(['dotnet', 'pack', project, '-r', 'linux-x64'] + common, cwd=src)
        tools = self.path('tools')
        rmtree(tools)
        run(['dotnet', 'tool', 'install', 'Darknet.Cli', '--tool-path', tools, '--add-source', feed, '--version', self.version])
        self.cli = os.path.join(tools, 'darknet')

    def pack(self):
        log('bench: packing Darknet.Build %s' % self.version)
        src, feed = self.source_copy(), self.path('feed')
        run(['dotnet', 'pack', os.path.join(src, 'src', 'Darknet.Build'), '-c', 'Release', '-o', feed,
             '-p:Version=' + self.version, '-nodeReuse:false', '-v:q', '-nologo'], cwd=src)
        write(self.path('apps', 'nuget.config'), """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="darknet-bench" value="%s" />
  </packageSources>
</configuration>
""" % feed)

    def model_item(self):
        if self.smoke:
            return '    <DarknetModel Include="tiny" Config="%s" WeightsUrl="%s%s" Sha256="%s" />\n' % (
                self.cfg, self.mirror.url, self.weights_name, self.sha256)
        return '    <DarknetModel Include="yolov3" Sha256="%s" />\n' % self.sha256

    def output_name(self):
        return 'tiny.npy' if self.smoke else 'yolov3.npy'

    def make_apps(self):
        apps = self.path('apps')
        mirror = None if self.smoke else self.mirror.url
        item = self.model_item()
        self.app = os.path.join(apps, 'WithPackage')
        self.second = os.path.join(apps, 'SecondProject')
        self.plain = os.path.join(apps, 'Plain')
        self.manual = os.path.join(apps, 'Manual')
        self.twotfm = os.path.join(apps, 'TwoFrameworks')
        for folder, kwargs in ((self.app, dict(package=self.version)),
                               (self.second, dict(package=self.version)),
                               (self.plain, {}),
                               (self.manual, dict(extra_items='    <Content Include="%s" CopyToOutputDirectory="PreserveNewest" />\n' % self.output_name())),
                               (self.twotfm, dict(package=self.version, frameworks='net8.0;net10.0'))):
            rmtree(folder)
            app_project(folder, item, mirror=mirror, **kwargs)
            write(os.path.join(folder, 'Program.cs'), PROGRAM % self.output_name())
            run(['dotnet', 'restore', '-nodeReuse:false', '-v:q'], cwd=folder)

    def build(self, folder, cache):
        env = dict(self.env)
        env['DARKNET_CACHE_DIR'] = cache
        return timed(['dotnet', 'build', '-c', 'Release', '--no-restore', '-nodeReuse:false', '-v:q', '-nologo'], folder, env)

    # ---------- rows ----------

    def convert_cmd(self, out):
        return [self.cli, 'convert', '--cfg', self.cfg, '--weights', self.weights, '--out', out]

    def peer_cmd(self, out):
        return ['/usr/bin/python3', os.path.join(BENCH, 'numpy_peer.py'), self.cfg, self.weights, out]

    def row_convert(self):
        out = self.path('out.npy')
        remove = lambda: os.path.exists(out) and os.remove(out)
        ra, rb = alternate(self.runs, lambda: timed(self.convert_cmd(out)),
                           lambda: timed(self.peer_cmd(out), env=self.peer_env), remove, remove)
        self.add(summary('convert', 'darknet convert', 'numpy peer', ra, rb))
        self.results.append(dict(row='memory', a='darknet convert, peak RSS', value=statistics.median(r for _, r, _ in ra),
                                 unit='MiB', runs_a=[round(r, 1) for _, r, _ in ra]))
        self.show(self.results[-1])

    def row_cp(self):
        out, copy = self.path('out.npy'), self.path('copy.weights')
        def remove():
            for p in (out, copy):
                if os.path.exists(p):
                    os.remove(p)
        ra, rb = alternate(self.runs, lambda: timed(self.convert_cmd(out)), lambda: timed(['cp', self.weights, copy]), remove, remove)
        self.add(summary('cp', 'darknet convert', 'cp', ra, rb))

    def row_cold(self):
        cache = self.path('cache-cold')
        def prepare_a():
            rmtree(cache)
            clean_build_outputs(self.app)
        download = self.path('manual-download', self.weights_name)
        npy = os.path.join(self.manual, self.output_name())
        def prepare_b():
            rmtree(os.path.dirname(download))
            os.makedirs(os.path.dirname(download))
            if os.path.exists(npy):
                os.remove(npy)
            clean_build_outputs(self.manual)
        def manual():
            result = pipeline([
                (['curl', '-sSf', '-o', download, self.mirror.url + self.weights_name], None, None),
                (['sha256sum', download], None, None),
                (self.peer_cmd(npy), None, self.peer_env),
                (['dotnet', 'build', '-c', 'Release', '--no-restore', '-nodeReuse:false', '-v:q', '-nologo'], self.manual, None),
            ])
            if run(['sha256sum', download]).split()[0] != self.sha256:
                raise RuntimeError('manual pipeline: the download has another SHA-256')
            return result
        ra, rb = alternate(self.runs, lambda: self.build(self.app, cache), manual, prepare_a, prepare_b)
        self.check_output(self.app)
        self.add(summary('cold', 'build with the package, empty cache', 'curl + sha256sum + numpy peer + build', ra, rb))

    def row_warm(self):
        cache = self.path('cache-warm')
        rmtree(cache)
        clean_build_outputs(self.second)
        self.build(self.second, cache)   # fills the cache (untimed)
        ra, rb = alternate(self.runs, lambda: self.build(self.second, cache), lambda: self.build(self.plain, cache),
                           lambda: clean_build_outputs(self.second), lambda: clean_build_outputs(self.plain))
        self.check_output(self.second)
        self.add(summary('warm', 'second project, warm cache', 'app without the package', ra, rb))

    def row_noop(self):
        cache = self.path('cache-warm')
        self.build(self.app, cache)
        self.build(self.plain, cache)
        ra, rb = alternate(self.runs, lambda: self.build(self.app, cache), lambda: self.build(self.plain, cache))
        self.add(summary('noop', 'no-op rebuild', 'no-op rebuild without the package', ra, rb))

    def row_reader(self):
        npy = self.path('reader', 'model.npy')
        os.makedirs(os.path.dirname(npy), exist_ok=True)
        if not os.path.exists(npy):
            run(self.convert_cmd(npy))
        builds = {}
        for mode, props in (('file', []), ('resource', ['-p:BenchNpy=' + npy])):
            project = self.path('reader', 'ReadBack-' + mode)
            rmtree(project)
            shutil.copytree(os.path.join(BENCH, 'ReadBack'), project, ignore=shutil.ignore_patterns('bin', 'obj'))
            run(['dotnet', 'build', '-c', 'Release', '-nodeReuse:false', '-v:q', '-nologo', '-o', os.path.join(project, 'out'),
                 '-p:DarknetRepo=' + REPO + '/'] + props, cwd=project)
            builds[mode] = os.path.join(project, 'out', 'ReadBack')
        data_mib = self.floats * 4 / MIB
        for mode, cmd in (('file', [builds['file'], 'file', npy]), ('resource', [builds['resource'], 'resource'])):
            rs = [timed(cmd) for _ in range(self.runs)]
            rss = statistics.median(r for _, r, _ in rs)
            self.results.append(dict(row='reader-' + mode, a='ModelFile.Load from ' + ('a file' if mode == 'file' else 'an embedded resource'),
                                     value=rss, unit='MiB', data_mib=data_mib, ratio=rss / data_mib,
                                     median_a=statistics.median(w for w, _, _ in rs), runs_a=[round(r, 1) for _, r, _ in rs]))
            self.show(self.results[-1])

    def row_disk(self):
        cache = self.path('cache-disk')
        rmtree(cache)
        clean_build_outputs(self.twotfm)
        self.build(self.twotfm, cache)
        total, big = disk_usage((self.weights_name, self.output_name()), cache, self.twotfm)
        copies = sorted(paths for paths in big.values())
        self.results.append(dict(row='disk', a='cache + project with net8.0;net10.0', value=total / MIB, unit='MiB',
                                 distinct_files=len(copies), files=copies))
        self.show(self.results[-1])

    def bignets(self):
        """(network, cfg, .weights path, size) of each network whose cfg is found; logs the ones skipped."""
        if self.smoke:
            return [(name + ' (tiny stand-in)', self.cfg, self.weights, self.size) for name, _, _ in BIGNETS]
        given = {os.path.basename(p): os.path.abspath(p) for p in self.args.bignet_cfg}
        found = []
        for name, cfg_name, size in BIGNETS:
            cfg = given.get(cfg_name) or find_shared_cfg(cfg_name, ('cfg', 'cfg-alexeyab'))
            if not cfg:
                log('bench: bignets: no %s (shared/darknet/cfg{,-alexeyab} or --bignet-cfg PATH): %s skipped' % (cfg_name, name))
                self.skipped.append(name)
                continue
            weights = self.path('bignets', name + '.weights')
            os.makedirs(os.path.dirname(weights), exist_ok=True)
            if not os.path.exists(weights) or os.path.getsize(weights) != size:
                log('bench: writing a synthetic %d-byte %s' % (size, os.path.basename(weights)))
                run(['/usr/bin/python3', os.path.join(BENCH, 'make_weights.py'), weights, str(size)])
            found.append((name, cfg, weights, size))
        return found

    def row_bignets(self):
        self.skipped = []
        nets = self.bignets()
        formats = self.args.bignet_formats.split(',')
        out = self.path('bignets', 'out')
        tools = [('', self.cli)]
        if self.args.bignet_baseline:
            tools.insert(0, (' (baseline)', os.path.abspath(self.args.bignet_baseline)))
        sides = [(name, cfg, weights, size, fmt, tool) for fmt in formats for name, cfg, weights, size in nets for tool in tools]
        runs = {side: [] for side in range(len(sides))}
        for _ in range(self.runs):  # each network, format and tool in turn, so load falls on all alike
            for i, (name, cfg, weights, size, fmt, (_, cli)) in enumerate(sides):
                if os.path.exists(out):
                    os.remove(out)
                runs[i].append(timed([cli, 'convert', '--cfg', cfg, '--weights', weights, '--out', out, '--format', fmt]))
        if os.path.exists(out):
            os.remove(out)
        for i, (name, cfg, weights, size, fmt, (label, cli)) in enumerate(sides):
            rs = runs[i]
            wall = statistics.median(w for w, _, _ in rs)
            self.add(dict(row='bignets', a='darknet%s convert %s --format %s' % (label, name, fmt), network=name, format=fmt,
                          tool=cli if label else 'this run\'s',
                          weights_bytes=size, median_a=wall, cpu_a=statistics.median(c for _, _, c in rs),
                          mb_per_s=size / 1e6 / wall, rss_a=statistics.median(r for _, r, _ in rs),
                          runs_a=[round(w, 3) for w, _, _ in rs], cpu_runs_a=[round(c, 3) for _, _, c in rs],
                          rss_runs_a=[round(r, 1) for _, r, _ in rs], skipped=self.skipped))

    def check_output(self, folder):
        found = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(folder, 'bin')) for f in fs if f == self.output_name()]
        if not found:
            raise RuntimeError('%s: no %s in bin/ after the build' % (folder, self.output_name()))

    # ---------- report ----------

    def add(self, result):
        self.results.append(result)
        self.show(result)

    def show(self, r):
        if r['row'] == 'bignets':
            log('  %-8s %s: %.3f s, CPU %.2f s, %.0f MB/s, peak RSS %.1f MiB (runs %s; RSS %s)' % (
                r['row'], r['a'], r['median_a'], r['cpu_a'], r['mb_per_s'], r['rss_a'], r['runs_a'], r['rss_runs_a']))
        elif 'ratio' in r and 'median_b' in r:
            log('  %-8s %s %.3f s vs %s %.3f s: %.2fx  (CPU %.2f vs %.2f s; peak RSS %.1f vs %.1f MiB; runs %s / %s)' % (
                r['row'], r['a'], r['median_a'], r['b'], r['median_b'], r['ratio'], r['cpu_a'], r['cpu_b'], r['rss_a'], r['rss_b'], r['runs_a'], r['runs_b']))
        else:
            log('  %-8s %s: %.1f %s %s' % (r['row'], r['a'], r['value'], r['unit'], {k: v for k, v in r.items() if k not in ('row', 'a', 'value', 'unit')}))

    def table(self):
        lines = ['| row | A | B | median A | median B | A / B | CPU A / B | peak RSS A | peak RSS B | target |',
                 '|---|---|---|---|---|---|---|---|---|---|']
        for r in self.results:
            target = TARGETS[r['row']][3]
            if 'median_b' in r:
                cpu = '%.2f / %.2f s = %.2fx' % (r['cpu_a'], r['cpu_b'], r['cpu_ratio']) if r.get('cpu_ratio') else '–'
                lines.append('| %s | %s | %s | %.2f s | %.2f s | **%.2fx** | %s | %.0f MiB | %.0f MiB | %s |' % (
                    r['row'], r['a'], r['b'], r['median_a'], r['median_b'], r['ratio'], cpu, r['rss_a'], r['rss_b'], target))
            elif r['row'].startswith('reader'):
                lines.append('| %s | %s | – | %.2f s | – | **%.2fx** the float data (%.0f MiB) | – | %.0f MiB | – | %s |' % (
                    r['row'], r['a'], r['median_a'], r['ratio'], r['data_mib'], r['value'], target))
            elif r['row'] == 'bignets':
                lines.append('| bignets | %s (%s bytes of weights) | – | %.2f s | – | **%.0f MB/s** | CPU %.2f s | **%.0f MiB** | – | %s |' % (
                    r['a'], format(r['weights_bytes'], ','), r['median_a'], r['mb_per_s'], r['cpu_a'], r['rss_a'], target))
            elif r['row'] == 'memory':
                lines.append('| memory | %s | – | – | – | – | – | **%.0f MiB** | – | %s |' % (r['a'], r['value'], target))
            else:
                lines.append('| disk | %s | – | – | – | **%.0f MiB**, %d distinct files (inodes) of the weights or the output | – | – | – | %s |' % (
                    r['a'], r['value'], r['distinct_files'], target))
        return '\n'.join(lines)

    def run_all(self):
        rows = self.args.rows.split(',')
        self.setup()
        self.mirror = Mirror(self.path('mirror'))
        try:
            if set(rows) & {'cold', 'warm', 'noop', 'disk'}:
                self.pack()
                self.make_apps()
            load_before = os.getloadavg()
            for row in rows:
                log('bench: row', row)
                getattr(self, 'row_' + row)()
            load_after = os.getloadavg()
        finally:
            self.mirror.close()
        meta = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), smoke=self.smoke,
                    runs=self.runs, weights_bytes=self.size, cpus=os.cpu_count(), machine=platform.platform(),
                    cpu=cpu_model(), load_before=load_before, load_after=load_after,
                    dotnet=run(['dotnet', '--version']).strip(), numpy=run(['/usr/bin/python3', '-c', 'import numpy; print(numpy.__version__)']).strip())
        print(self.table())
        print('\n%s, %d runs per side, load average %.1f before / %.1f after, %s' % (
            meta['date'], self.runs, load_before[0], load_after[0], meta['cpu']))
        if self.args.json:
            with open(self.args.json, 'w') as f:
                json.dump(dict(meta=meta, results=self.results), f, indent=1)
        if self.args.svg:
            before = None
            if self.args.before:
                with open(self.args.before) as f:
                    before = json.load(f)
            with open(self.args.svg, 'w') as f:
                f.write(svg_chart(self.results, meta, before))


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


SHORT = {'convert': 'convert / numpy peer', 'memory': 'convert peak RSS / 100 MiB', 'cp': 'convert / cp',
         'cold': 'cold build / manual pipeline', 'warm': 'warm 2nd project / no package', 'noop': 'no-op rebuild / no package',
         'reader-file': 'reader (file) RSS / data', 'reader-resource': 'reader (resource) RSS / data'}


def chart_values(results):
    """row -> (measured, target, text) for the rows with a numeric target."""
    values = {}
    for r in results:
        kind, target, _, text = TARGETS[r['row']]
        if kind in ('ratio', 'data'):
            values[r['row']] = (r['ratio'], target, '%.2fx' % r['ratio'])
        elif kind == 'mib':
            values[r['row']] = (r['value'] / target, 1.0, '%.0f MiB' % r['value'])
    return values


def svg_chart(results, meta, before=None):
    """One bar per row: measured / target (1.0 = the target, the red line; lower is better); with before, a grey bar
    of the earlier run above each."""
    now = chart_values(results)
    old = chart_values(before['results']) if before else {}
    rows = [row for row in SHORT if row in now]
    per = 2 if old else 1
    width, left, bar, top = 820, 230, 16, 48
    row_h = per * (bar + 4) + 10
    scale_max = max([v / t for v, t, _ in list(now.values()) + list(old.values())] + [1.0]) * 1.08
    px = lambda f: left + (width - left - 90) * f / scale_max
    height = top + row_h * len(rows) + 50
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14">Darknet.Build: each row as a multiple of its target (red line = target; lower is better)</text>',
           '<text x="10" y="38" fill="#555">%s%s, %s</text>' % (
               escape(meta['date']), ' (smoke run: no meaning)' if meta['smoke'] else ', medians of %d alternating runs' % meta['runs'],
               ('grey = %s, blue/orange = %s' % (escape(before['meta']['date']), escape(meta['date']))) if old else 'blue = meets it, orange = not yet')]
    for i, row in enumerate(rows):
        y = top + i * row_h
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (left - 8, y + per * (bar + 4) // 2, escape(SHORT[row])))
        out.append('<text x="%d" y="%d" text-anchor="end" fill="#666" font-size="10">target %s</text>' % (
            left - 8, y + per * (bar + 4) // 2 + 12, escape(TARGETS[row][3])))
        bars = ([(old[row], '#bbbbbb')] if row in old else ([(None, None)] if old else [])) + [(now[row], None)]
        for j, (value, colour) in enumerate(bars):
            if value is None:
                continue
            v, t, text = value
            f = v / t
            colour = colour or ('#4a90d9' if f <= 1 else '#e8a33d')
            yy = y + j * (bar + 4)
            out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (left, yy, max(1.0, px(f) - left), bar, colour))
            out.append('<text x="%.1f" y="%d">%s</text>' % (px(f) + 4, yy + bar - 3, escape(text)))
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#d0021b" stroke-width="2"/>' % (px(1), px(1), y - 3, y + per * (bar + 4) + 1))
    axis_y = top + row_h * len(rows) + 14
    for f in (0, 0.5, 1, 2, 3, 4, 6, 8):
        if f <= scale_max:
            out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#666">%g</text>' % (px(f), axis_y, f))
    out.append('<text x="%d" y="%d" fill="#666">x target</text>' % (left, axis_y + 16))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def escape(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--smoke', action='store_true')
    parser.add_argument('--work')
    parser.add_argument('--json')
    parser.add_argument('--svg')
    parser.add_argument('--before', help='a --json of an earlier run: the chart shows it too (grey)')
    parser.add_argument('--chart-only', nargs=2, metavar=('JSON', 'SVG'), help='render the chart of a saved --json run and exit')
    parser.add_argument('--rows', default='convert,cp,cold,warm,noop,reader,disk,bignets')
    parser.add_argument('--bignet-cfg', action='append', default=[], metavar='PATH',
                        help='a cfg for the bignets row, named by its file name (yolov4-p6.cfg, cspx-p7-mish.cfg, yolov3.cfg)')
    parser.add_argument('--bignet-formats', default='npy,npz', help='the formats the bignets row converts to')
    parser.add_argument('--bignet-baseline', metavar='DARKNET', help='another darknet executable the bignets row runs in turn with this one')
    args = parser.parse_args()
    if args.chart_only:
        with open(args.chart_only[0]) as f:
            saved = json.load(f)
        before = None
        if args.before:
            with open(args.before) as f:
                before = json.load(f)
        with open(args.chart_only[1], 'w') as f:
            f.write(svg_chart(saved['results'], saved['meta'], before))
        return
    Bench(args).run_all()


if __name__ == '__main__':
    main()
