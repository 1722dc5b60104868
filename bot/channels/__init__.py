"""Input channels of our own. `sms`: Twilio SMS with signed webhooks and TwiML replies (sms.py).

Channels format, they do not decide: what to answer comes from Rasa; a channel only shapes it
for the medium (sms_format.py) and keeps what the medium needs (sms_state.py).
"""

# Rasa imports this package when it reads credentials.yml, in every `rasa run` and `rasa shell`:
# the one place our code runs inside the Rasa server before the first message.
from bot import rasa_speedups as _rasa_speedups  # noqa: E402

_rasa_speedups.apply()
