"""flow_fixture - the example flows (examples/<flow>/flow.py) under test.

Owns: FlowTestCase (a KinesdTestCase whose `target` is the flow kit's Target on the test's
kinesd, signed like the other tests), loading a flow's module by its folder, and checking
documents against the flows' schemas with an independent validator (python3-jsonschema), so
that what the C validator let through is checked by another implementation.
"""

import importlib.util
import json
import os
import sys

from kinesd_harness import ACCESS_KEY, REGION, SECRET_KEY, KinesdTestCase

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO, "examples")
sys.path.insert(0, os.path.join(EXAMPLES, "lib"))

import flowkit  # noqa: E402


def load_flow(folder):
    """The module examples/FOLDER/flow.py (imported once, as flow_FOLDER)."""
    name = "flow_" + folder.replace("-", "_")
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, folder,
                                                                         "flow.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def schema_errors(schema_path, instance):
    """Every error of INSTANCE against the schema file (its $refs resolved in its folder), as
    python3-jsonschema finds them, with formats asserted."""
    import jsonschema
    from referencing import Registry, Resource

    folder = os.path.dirname(schema_path)
    documents = {}
    for name in os.listdir(folder):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                documents[name] = Resource.from_contents(json.load(f))
    with open(schema_path) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, registry=Registry().with_resources(documents.items()),
                    format_checker=cls.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(instance)]


class FlowTestCase(KinesdTestCase):
    """A test of one flow: `self.target` runs it on the test's kinesd."""

    CREDENTIALS = (ACCESS_KEY, SECRET_KEY)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.target = flowkit.Target(cls.server.endpoint, REGION, cls.CREDENTIALS)

    def assert_valid(self, schema_path, instance):
        self.assertEqual(schema_errors(schema_path, instance), [], json.dumps(instance))
