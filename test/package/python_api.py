"""Checks Python snippets against the jsii-generated Python module, without importing it.

Usage: python3 python_api.py MODULE_INIT_PY SNIPPETS_JSON
Prints a JSON list of problems: names imported from cdk_sagemaker_neo that the module lacks,
members (constants, static methods, attributes) a class lacks, and keyword arguments a
constructor or method does not take. Importing the module would need the jsii runtime from PyPI,
which is out of reach here; reading the generated source with `ast` needs nothing.
"""
import ast
import json
import sys

MODULE = "cdk_sagemaker_neo"
# Members our classes inherit from `constructs.Construct`, which the module does not define.
CONSTRUCT_MEMBERS = {"node", "to_string", "with_"}


def module_api(source):
    """{class name: (base names, {member: parameter names})} of the generated module."""
    api = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        members = {}
        for item in node.body:
            if isinstance(item, ast.FunctionDef):
                args = item.args.args + item.args.kwonlyargs
                members[item.name] = {a.arg for a in args} - {"self", "cls"}
        bases = [ast.unparse(b) for b in node.bases]
        api[node.name] = (bases, members)
    return api


def lookup(api, cls, member):
    """The member's parameters, following bases inside the module; None when it does not exist."""
    bases, members = api[cls]
    if member in members:
        return members[member]
    for base in bases:
        if base in api:
            found = lookup(api, base, member)
            if found is not None:
                return found
        elif base.endswith(".Construct") and member in CONSTRUCT_MEMBERS:
            return set()
    return None


def check(snippet, api):
    tree = ast.parse(snippet)
    problems = []
    imported = {}  # local name -> class name
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == MODULE:
            for alias in node.names:
                if alias.name not in api:
                    problems.append(f"{alias.name} is not in {MODULE}")
                else:
                    imported[alias.asname or alias.name] = alias.name
    # Variables bound to a new instance of one of our classes, e.g. `job = CompilationJob(...)`.
    instances = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id in imported):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    instances[target.id] = imported[node.value.func.id]

    def owner_of(expr):
        if isinstance(expr, ast.Name):
            return imported.get(expr.id) or instances.get(expr.id)
        return None

    def check_kwargs(cls, member, call, label):
        params = lookup(api, cls, member)
        if params is None:
            return
        for kw in call.keywords:
            if kw.arg is not None and kw.arg not in params:
                problems.append(f"{label} takes no keyword argument '{kw.arg}'")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported:
            cls = imported[node.func.id]
            check_kwargs(cls, "__init__", node, cls)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and owner_of(node.func.value):
            cls = owner_of(node.func.value)
            check_kwargs(cls, node.func.attr, node, f"{cls}.{node.func.attr}")
        if isinstance(node, ast.Attribute) and owner_of(node.value):
            cls = owner_of(node.value)
            if lookup(api, cls, node.attr) is None:
                problems.append(f"{cls} has no member '{node.attr}'")
    return problems


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        api = module_api(f.read())
    with open(sys.argv[2], encoding="utf-8") as f:
        snippets = json.load(f)
    problems = []
    for i, snippet in enumerate(snippets):
        try:
            problems += [f"snippet {i + 1}: {p}" for p in check(snippet, api)]
        except SyntaxError as error:
            problems.append(f"snippet {i + 1}: does not parse: {error}")
    print(json.dumps(problems))


if __name__ == "__main__":
    main()
