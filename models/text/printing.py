"""Printing: why a file printer's address is refused (``file_<why>``), printer states and faults."""

from __future__ import annotations

from models.text.catalogue import Catalogue

CATALOGUE = Catalogue(
    "printing",
    {
        # why a file printer's address is refused (models.printfile)
        "file_hall_file": (
            "这是大厅的数据库、密钥文件或见证文件",
            "it is the hall's database, key or witness file",
        ),
        "file_symlink": ("这是符号链接", "it is a symbolic link"),
        "file_hard_link": (
            "这是硬链接（另有文件名指向同一文件）",
            "it is a hard link (the file has other names)",
        ),
        "file_not_a_file": ("不是文件、设备或管道", "not a file, a device or a pipe"),
        "file_hidden": (
            "隐藏文件或目录中存放设置和启动脚本（如 ~/.bashrc）",
            "hidden files and folders hold settings and start-up scripts (like ~/.bashrc)",
        ),
        "file_system": (
            "这是系统目录或非打印机设备",
            "it is a system folder or a device other than a printer",
        ),
        "file_executable": ("这是可执行文件", "it is an executable file"),
        "file_not_ours": ("该文件属于其他用户", "the file belongs to another user"),
        # a printer's state as staff read it (printer.status, printer.care, printer.spooler)
        "state_cover_open": ("上盖打开", "cover open"),
        "state_paper_out": ("缺纸", "paper out"),
        "state_paper_near_end": ("纸将用完", "paper near end"),
        "state_offline": ("离线", "offline"),
        "state_unknown": ("状态未知（无应答）", "status unknown (no reply)"),
        "state_ready": ("就绪", "ready"),
        "preview_unwritable": (
            "预览打印机，无法写入：{reason_zh}",
            "preview printer, cannot write: {reason_en}",
        ),
        "preview": (
            "预览打印机：不出纸，票面显示在屏幕上",
            "preview printer — on screen, no paper",
        ),
        "after_the_job": ("作业后{state_zh}", "{state_en} after the job"),
        "no_reply_after": ("作业后无应答", "no status reply after the job"),
        "sender_stopped": (
            "发送中断（{since} 发出，未获确认）",
            "the sender stopped mid-job (sent {since}, never confirmed)",
            "发送中断 / the sender stopped mid-job (sent {since}, never confirmed)",
        ),
    },
    sep=" / ",
)

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
