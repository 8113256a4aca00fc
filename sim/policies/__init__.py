"""The levers of the model, one family per module.

Every lever a manager can pull lives here, so it is one hop away:

=====================================  ===============================================
``sim/policies/incentives.py``         marketing KPI, sales pay plan, shared-KPI weight
``sim/policies/communication.py``      handoff, CRM context, meetings, roles, leadership
``sim/policies/feedback.py``           none / periodic / closed-loop feedback, learning
``sim/policies/prioritisation.py``     the sales queue: fifo, score, cherry_pick, SLA
``sim/policies/pricing.py``            price fit, discounting, win odds
``sim/policies/trust.py``              trust in marketing leads, the lead black hole, conflict
``sim/policies/brand.py``              brand spend, awareness, cold calling
``sim/policies/response.py``           speed-to-lead: how contact and qualification odds decay
=====================================  ===============================================

Each policy is a small function or class whose docstring states its behaviour and its source
(or says "assumption"). Policies never import the model; the model asks them.
"""
