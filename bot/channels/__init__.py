"""Input channels of our own. `sms`: Twilio SMS with signed webhooks and TwiML replies (sms.py).

Channels format, they do not decide: what to answer comes from Rasa; a channel only shapes it
for the medium (sms_format.py) and keeps what the medium needs (sms_state.py).
"""
