"""`python -m kiosk [--db URL] [--kiosk-id K] [--printer NAME]`: the kiosk, started fast.

It does what `mashangban kiosk` does, without opening the database before the first screen
(SQLAlchemy and the models take longer to import than Textual): the database is opened and
checked by the app after its first screen is drawn, and an uninitialised one still ends the
kiosk with the message and exit status 1. The first screen comes from a snapshot of the last
run in the user cache folder. See kiosk/launch.py.
"""

from appkit.launch import run_alone
from kiosk.launch import kiosk_fast

run_alone(kiosk_fast, prog="python -m kiosk")
