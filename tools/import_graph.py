#!/usr/bin/env python3
"""Package import graph of drover-server's main code, and its cycles.

Usage: python3 tools/import_graph.py [source-root]

Nodes are the packages below dev.drover.server ("(root)" is dev.drover.server itself); an edge A -> B is
one or more `import dev.drover.server.B...` lines in a file of A (static imports included). Prints every
edge with the files behind it, then the strongly connected components with more than one package
(the cycles), and exits 1 when there is one, so it can guard the layering.
"""
import os
import re
import sys
from collections import defaultdict

ROOT_PKG = "dev.drover.server"
IMPORT = re.compile(r"^import\s+(?:static\s+)?dev\.drover\.server\.([\w.]+)\s*;", re.M)
PACKAGE = re.compile(r"^package\s+([\w.]+)\s*;", re.M)


def package_of(qualified, packages):
    """The longest known package that prefixes an imported name (classes and nested classes drop off)."""
    parts = qualified.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in packages:
            return candidate
    return "(root)"


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "drover-server/src/main/java/dev/drover/server"
    files = {}
    for dirpath, _, names in os.walk(src):
        for name in names:
            if name.endswith(".java"):
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                pkg = PACKAGE.search(text).group(1)
                rel = pkg[len(ROOT_PKG) + 1:] if pkg != ROOT_PKG else "(root)"
                files[path] = (rel, text)
    packages = {rel for rel, _ in files.values()}
    edges = defaultdict(set)
    for path, (rel, text) in files.items():
        for imported in IMPORT.findall(text):
            target = package_of(imported, packages)
            if target != rel:
                edges[(rel, target)].add(os.path.basename(path)[:-5])
    graph = defaultdict(set)
    for (a, b) in edges:
        graph[a].add(b)

    # Tarjan's strongly connected components
    index, low, stack, on_stack, sccs = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            sccs.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(packages):
        if v not in index:
            visit(v)

    for (a, b) in sorted(edges):
        print(f"{a} -> {b}  ({', '.join(sorted(edges[(a, b)]))})")
    cycles = [c for c in sccs if len(c) > 1]
    print(f"\n{len(packages)} packages, {len(edges)} edges, {len(cycles)} cycle(s)")
    for c in sorted(cycles):
        print("cycle: " + " <-> ".join(c))
        members = set(c)
        for (a, b) in sorted(edges):
            if a in members and b in members:
                print(f"  {a} -> {b}  ({', '.join(sorted(edges[(a, b)]))})")
    if not cycles:
        # layers, bottom first: a package's layer is one above the highest package it imports
        layer = {}

        def depth(v):
            if v not in layer:
                layer[v] = 1 + max((depth(w) for w in graph[v]), default=-1)
            return layer[v]

        for v in packages:
            depth(v)
        print("\nlayers (a package imports only packages on lower layers):")
        for n in range(max(layer.values()) + 1):
            print(f"  {n}: " + " ".join(sorted(v for v in packages if layer[v] == n)))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
