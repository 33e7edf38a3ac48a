"""The policy stage: load and type-check policy files (`load`, `check`), evaluate them over the model with the
CEL runtime (`engine`, `celrt`), and generate their documentation (`docs`)."""

from lint.policy.load import Policy, PolicyError, Program, load_policies, load_policy_file

__all__ = ["Policy", "PolicyError", "Program", "load_policies", "load_policy_file"]
