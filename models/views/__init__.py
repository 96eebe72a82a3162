"""The read models of the screens: what a ticket, a window, the board, the status, the monitor
and the kiosk's menu show. They read; they never write."""
