"""Every write of keys, passes and the document register goes through these modules:

- `config`: the per-community rules (fees before release, key overdue hours, pass validity);
- `keys`: the key register, warranty contractors, lending and returning with their gates;
- `passes`: release passes: apply, approve or reject, cancel, and use once at the gate;
- `register`: the document register: register, edit the location, lend and return.
"""
