"""The platform's behaviour on virtual time: enablement, periodic assessment, the monthly
availability-first rollout, install runs, holds, the policy knobs and the timeline.

Acts on the world through its records and clock; imports only ``_world``.
"""
