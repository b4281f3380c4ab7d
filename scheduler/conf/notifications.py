"""Options of the [notifications] group (Nova's names and defaults).

Where notifications go (driver, transport, legacy topics) is
oslo.messaging's ``[oslo_messaging_notifications]`` group, as in Nova.
"""

from oslo_config import cfg


def _notifications_group():
    # A new OptGroup for every ConfigOpts (register_group copies shallowly).
    return cfg.OptGroup(
        'notifications', title='Notifications',
        help='The scheduler.select_destinations notifications Nova\'s '
             'scheduler sends, sent the same way.')


notification_opts = [
    cfg.StrOpt(
        'notification_format',
        default='unversioned',
        choices=[
            ('both', 'Both the legacy unversioned and the versioned '
                     'notifications are sent.'),
            ('versioned', 'Only the versioned notifications are sent.'),
            ('unversioned', 'Only the legacy unversioned notifications '
                            'are sent.'),
        ],
        help='Which notifications to send: legacy ones (publisher '
             '``scheduler.<host>``, payload ``{"request_spec": ...}``) '
             'and/or versioned ones (publisher ``nova-scheduler:<host>``, '
             'payload ``RequestSpecPayload``). Nothing is sent unless '
             '``[oslo_messaging_notifications] driver`` is set.'),
    cfg.ListOpt(
        'versioned_notifications_topics',
        default=['versioned_notifications'],
        help='Topics the versioned notifications are sent to.'),
]


def register_opts(conf):
    group = _notifications_group()
    conf.register_group(group)
    conf.register_opts(notification_opts, group=group)


def list_opts():
    return {_notifications_group(): notification_opts}
