# Callhub, English (the reference catalogue: every other language has exactly these keys).
# Keys: area-what. Arguments in { $braces }. See README "Languages".

## Errors by code (app::protocol::ErrorCode), and failures without one

error-network = Cannot reach the server. Check your connection.
error-signed-out = Your session ended. Please sign in again.
error-not-here = Not available here.
error-status = Something went wrong ({ $status }).
error-unknown = Something went wrong. Please try again.
error-parse_error = The request could not be read.
error-invalid = This value is not valid.
error-not_authenticated = Please sign in.
error-token_not_valid = Your session has expired. Please sign in again.
error-invalid_credentials = Incorrect username or password.
error-user_not_found = This account no longer exists.
error-not_your_role = You cannot do that on this call.
error-origin_not_allowed = This page may not connect from here.
error-not_found = Not found.
error-method_not_allowed = That action is not possible.
error-unsupported_media_type = That kind of file is not accepted.
error-payload_too_large = That file is too large.
error-rate_limited = Too many attempts. Please wait a moment and try again.
error-unavailable = The service is busy right now. Please try again shortly.
error-internal = Something went wrong on the server.
error-busy = They are in another call.
error-call_changed = The call has changed meanwhile.
error-message_exists = A message was already left on this call.
error-report_refused = This call cannot take your connection report (sent already, or the call is not one to report on).
error-limit_reached = You have reached the limit.
error-required = This field is required.
error-not_null = This field is required.
error-not_a_string = Enter text here.
error-blank = This field may not be blank.
error-too_long = This is too long.
error-invalid_choice = Choose one of the options.
error-invalid_integer = Enter a whole number.
error-invalid_username = Use only letters, digits and @ . + - _
error-invalid_email = Enter a valid email address.
error-password_too_short = This password is too short: at least 8 characters.
error-password_too_common = This password is too common.
error-password_numeric = This password is all digits.
error-password_too_similar = This password is too close to your username or email.
error-password_mismatch = The passwords do not match.
error-username_taken = That username is taken.
error-email_taken = That email address is already registered.
error-unknown_user = There is no such person.
error-not_yourself = You cannot do that with yourself.
error-unblock_first = Unblock this person first.
error-invalid_picture = Upload a PNG, JPEG or WebP image of at most 16 megapixels.
error-invalid_message = The recording is not valid.
error-invalid_time = Choose a time in the future.

## Times

ago-now = just now
ago-minutes = { $count } min ago
ago-hours = { $count } h ago
ago-yesterday = yesterday
ago-days = { $count ->
    [one] { $count } day ago
   *[other] { $count } days ago
}

## Navigation

nav-main = Main
nav-sign-in = Sign in
nav-sign-up = Sign up
nav-contacts = Contacts
nav-history = History
nav-missed = { $count ->
    [one] { $count } missed call
   *[other] { $count } missed calls
}
nav-dnd = Do not disturb
nav-connected = Connected: incoming calls ring here
nav-reconnecting = Reconnecting…
nav-sign-out = Sign out

## Start page

home-lead = Audio and video calls with your contacts, right in the browser.
home-feature-online = See who is online
home-feature-tabs = Ring every open tab
home-feature-missed = Never miss a call
home-create-account = Create an account

## Pages in general

loading = Loading…
not-found-title = Page not found
not-found-back = Back to the start page

## Sign in and sign up

field-username = Username
field-email = Email
field-password = Password
field-password-confirm = Confirm password
signin-wrong = Incorrect username or password.
signin-throttled = Too many sign-in attempts. Please wait a minute and try again.
signin-missing = Enter your username and password.
signin-pending = Signing in…
signin-new-here = New here?
signup-title = Create your account
signup-pending = Creating…
signup-have-account = Already have an account?

## Contacts

dismiss = Dismiss
contacts-mine = My contacts
contacts-loading = Loading contacts…
contacts-none = No contacts yet.
contacts-none-help = Search for someone under Find people and press Add. You can also add people from your call history or during a call. Mark favourites with the star to keep them on top.
contacts-find = Find people
contacts-search-label = Search people
contacts-search-placeholder = Search by name…
contacts-nobody = Nobody else is here yet. Invite a friend to sign up!
contacts-no-match = Nobody matches “{ $query }”.
presence-online = Online
presence-offline = Offline
presence-last-seen = Last seen { $ago }
contacts-favourite = Make { $name } a favourite
contacts-unfavourite = Remove { $name } from favourites
contacts-remove-label = Remove { $name } from your contacts
contacts-remove = Remove
call-audio-button = Audio
call-video-button = Video
call-audio-with = Audio call with { $name }
call-video-with = Video call with { $name }

## Calls: why they ended, their status

reason-cancelled = Cancelled by the caller
reason-rejected = Declined
reason-busy = Busy in another call
reason-timeout = No answer
reason-hangup-caller = Caller hung up
reason-hangup-receiver = Receiver hung up
reason-connection-lost = Connection lost
reason-answered-elsewhere = Answered on another device
reason-server-restart = Interrupted by a server restart
reason-do-not-disturb = Do not disturb
status-initiated = Calling
status-ringing = Ringing
status-accepted = In progress
status-rejected = Declined
status-ended = Completed
status-missed = Missed
status-cancelled = Cancelled

## History

history-title = Call history
history-tabs = Which calls
history-tab-all = All
history-tab-missed = Missed
history-loading = Loading calls…
history-none-missed = No missed calls.
history-none = No calls yet.
history-outgoing = Outgoing
history-incoming = Incoming
history-duration = Duration { $duration }
history-call-back = Call back
history-call-back-audio = Call { $name } back (audio)
history-call-back-video = Call { $name } back (video)

## Profile: who can reach you, do not disturb, blocked people

settings-not-saved = Not saved: { $error }
privacy-saved-calls-everyone = Saved: anyone can call you.
privacy-saved-calls-contacts = Saved: only your contacts can call you.
privacy-saved-presence-everyone = Saved: everyone sees when you are online.
privacy-saved-presence-contacts = Saved: only your contacts see when you are online.
privacy-saved-presence-nobody = Saved: nobody sees when you are online.
privacy-reach-title = Who can reach you
privacy-who-calls = Who can call me
privacy-who-sees = Who sees when I am online
privacy-everyone = Everyone
privacy-contacts = My contacts
privacy-nobody = Nobody
privacy-screened-help = Calls from people who may not call you do not ring; to them it looks as if you did not answer.
dnd-off-status = Off: calls ring as usual.
dnd-saved-off = Do not disturb is off.
dnd-saved-on = Do not disturb is on.
dnd-help = While it is on, calls do not ring: they go to your missed calls and the caller hears that you are busy.
blocked-unblocked = Unblocked { $name }.
blocked-unblock-failed = Could not unblock { $name }: { $error }
blocked-title = Blocked people
blocked-none = Nobody. Block someone from their incoming call (Decline and block).
blocked-unblock-label = Unblock { $name }
blocked-unblock = Unblock

dnd-choice-off = Off
dnd-choice-hour = For 1 hour
dnd-choice-morning = Until 08:00 tomorrow
dnd-choice-on = Until I turn it off
dnd-until = Do not disturb until { $until }
dnd-until-off = Do not disturb until you turn it off
dnd-tomorrow = tomorrow { $clock }

## Profile

profile-title = Profile
profile-status = Status
profile-connecting = Connecting…
profile-picture-updated = Picture updated.
profile-picture-removed = Picture removed.
profile-picture-change = Change picture
profile-picture-upload = Upload a picture
profile-picture-remove = Remove picture
profile-picture-help = PNG, JPEG or WebP, up to 5 MiB.
theme-title = Appearance
theme-legend = Theme on this browser
theme-system = Same as this device
theme-light = Light
theme-dark = Dark
theme-showing-light = Showing the light theme.
theme-showing-dark = Showing the dark theme.
language-title = Language
language-legend = Language on this browser
language-browser = Same as this browser
language-name-en = English
language-name-de = Deutsch
language-name-fr = Français
language-showing = Showing { $language }.
profile-notifications = Call notifications
profile-privacy = Privacy
profile-relay = Relay calls through the server
profile-relay-help = The other person then never learns your IP addresses, at the cost of a longer path. Applies to your next call on this browser.
profile-relay-unavailable = This server offers no TURN relay: calls cannot connect while this is on.

## Placing calls

avatar-alt = Picture of { $name }
dial-busy = { $name } is busy in another call
dial-busy-now = { $name } is busy right now
dial-failed = Could not call { $name }: { $error }
voicemail-leave = Leave a message

## The incoming call

incoming-audio = Incoming audio call
incoming-video = Incoming video call
incoming-audio-from = Incoming audio call from { $name }
incoming-video-from = Incoming video call from { $name }
incoming-block-failed = Could not block { $name }: { $error }
incoming-sound-blocked = Your browser is holding the ringtone back.
incoming-enable-sound = Enable sound
incoming-decline-label = Decline call from { $name }
incoming-decline = Decline
incoming-accept-audio = Accept audio call from { $name }
incoming-accept-video = Accept video call from { $name }
incoming-accept = Accept
incoming-decline-block-ask = Decline and block…
incoming-block-title = Block { $name }?
incoming-block-help = Their calls will no longer ring for you and they will not see when you are online. They are not told. You can unblock them on your profile.
incoming-back = Back
incoming-decline-block = Decline and block

## Notifications and the flashing title

notice-calling = { $name } is calling
notice-missed-from = Missed call from { $name }
notice-missed-audio = Missed audio call
notice-missed-video = Missed video call
notice-flash-title = Incoming call: { $name }
notifications-ask = Get a notification when someone calls while Callhub is in the background, and one for each call you missed meanwhile.
notifications-granted = On: calls that ring while Callhub is in the background show a notification.
notifications-denied = Blocked in this browser's site settings: allow notifications for this site there to get them.
notifications-unsupported = This browser cannot show notifications for this site.

contacts-added = ✓ Added
contacts-add-label = Add { $name } to your contacts
contacts-add = + Add

notifications-enable = Turn on call notifications

## Messages when nobody answers

voicemail-left = { $clock } left
voicemail-title = Leave { $name } a message
voicemail-limit = Up to 30 seconds.
voicemail-sent = Message sent.
voicemail-record-again = Record again
voicemail-record = Record a message
voicemail-stop = Stop
voicemail-send = Send
voicemail-watching = We will tell you when { $name } is free.
voicemail-tell-me = Tell me when they are free
voicemail-free-now = { $name } is free now
voicemail-free-body = Click to call them.
voicemail-call = Call { $name }
voicemail-message = Message
voicemail-new-message = New message
voicemail-play = Play
voicemail-cannot-play = The message cannot be played here.
voicemail-open-in-browser = Open this page in a browser.
voicemail-cannot-record = This browser cannot record a message.
voicemail-cannot-start = The recording could not start.

## In a call: devices

device-microphone = Microphone
device-camera = Camera
device-speaker = Speaker
device-numbered = { $device } { $number }
device-default = Default
device-lost-microphone = Your microphone was disconnected: the call goes on with the default microphone.
device-lost-camera = Your camera was disconnected: the call goes on with the default camera.
device-lost-speaker = Your speaker was disconnected: the call goes on with the default speaker.
device-failed-microphone = That microphone cannot be started ({ $error }): the call keeps the one it had.
device-failed-camera = That camera cannot be started ({ $error }): the call keeps the one it had.
device-failed-speaker = That speaker cannot be started ({ $error }): the call keeps the one it had.

## In a call: connection quality

quality-measuring = measuring
quality-good = good
quality-fair = fair
quality-poor = poor
quality-label-yours = Your connection: { $grade }
quality-label-other = { $name }'s connection: { $grade }
quality-poor-both = Both your and { $name }'s connections are poor
quality-poor-yours = Your connection is poor
quality-poor-other = { $name }'s connection is poor

## In a call: chat and shortcuts

chat = Chat
chat-unread = Chat, { $count } unread
shortcut-mute = Mute or unmute the microphone
shortcut-camera = Turn the camera off or on
shortcut-share = Share the screen or stop sharing
shortcut-help = Show or hide these shortcuts

## The call page

outcome-declined = { $name } declined
outcome-you-declined = You declined this call
outcome-busy = { $name } is busy
outcome-cancelled = Call cancelled
outcome-they-cancelled = { $name } cancelled the call
outcome-ended = Call ended
outcome-ended-lost = Call ended (connection lost)
outcome-ended-after = Call ended after { $duration }
outcome-ended-after-lost = Call ended after { $duration } (connection lost)
link-connecting = Connecting…
link-waiting = Waiting for { $name }…
link-connected = Connected
say-calling = Calling { $name }, ringing
say-incoming = Incoming call from { $name }
call-back-to-contacts = Back to contacts
call-kind-video = Video call
call-kind-audio = Audio call
call-ringing = Ringing…
call-cancel = Cancel
call-incoming = Incoming call…
call-you = You
shortcuts-title = Keyboard shortcuts
close = Close
chat-message = Message
call-devices = Devices
call-camera-off = { $name } turned their camera off
call-muted = { $name } muted their microphone
call-mute = Mute
call-unmute = Unmute
call-camera-turn-off = Camera off
call-camera-turn-on = Camera on
call-video-on = Turn camera on
call-video-off = Turn camera off
call-camera-screen-instead = The shared screen is sent instead
call-video-unavailable = This call cannot carry video: start a video call instead.
call-video-failed = Your camera cannot be started ({ $error }).
call-share = Share screen
call-stop-sharing = Stop sharing
call-hang-up = Hang up

## The call page: camera, microphone, relay

media-no-camera = No camera is available: the other side hears you but cannot see you.
media-denied-both = Callhub is not allowed to use your microphone and camera. Allow access in your browser's site settings, then reload this page.
media-denied-microphone = Callhub is not allowed to use your microphone. Allow access in your browser's site settings, then reload this page.
media-missing-both = No microphone and camera was found. Connect one, then reload this page.
media-missing-microphone = No microphone was found. Connect one, then reload this page.
media-in-use-both = Your microphone and camera cannot be started: another application may be using it.
media-in-use-microphone = Your microphone cannot be started: another application may be using it.
media-insecure = This browser cannot capture audio or video here (calls need a secure https page).
media-failed-both = Your microphone and camera cannot be started ({ $error }).
media-failed-microphone = Your microphone cannot be started ({ $error }).
relay-none = Relay-only calls are on in your profile, but this server offers no TURN relay, so the call cannot connect. Turn relay-only off in your profile to connect directly.
relay-unreachable = Relay-only calls are on in your profile, but the server's TURN relay cannot be reached from here (it gave this browser no relay address), so the call cannot connect. Still trying; turning relay-only off in your profile lets the call connect directly.
call-no-such-call = There is no such call.
call-sign-in = Please sign in to join this call.


## The per-call report, the device check, picture-in-picture (issue 19)
report-you = You
report-who = { $name }:
report-none = no report
report-aria = Connection report
report-details = Connection details
report-caption = Each side's connection during the call
report-path-direct = Direct
report-path-relayed-hidden = Relayed (IP hidden)
report-path-relayed = Relayed
report-path-none = Never connected
report-ms = { $ms } ms
report-loss = { $percent } loss
report-worst = worst: { $grade }
report-reconnects = { $count ->
    [one] 1 reconnect
   *[other] { $count } reconnects
}
report-yes = Yes
report-no = No
report-label-path = Media path
report-label-ip-hidden = IP address hidden from the other person
report-label-rtt = Average round trip
report-label-jitter = Average jitter
report-label-loss = Packets lost
report-label-worst = Worst quality
report-label-reconnects = Reconnects
report-label-connected = Connected
report-label-samples = Measurements
check-start = Check camera, microphone and speaker
check-stop = Stop the device check
check-camera = Your camera
check-devices = Devices to check
check-level = Microphone level
check-speak = Speak: the bar should move.
check-tone = Play a test tone
check-title = Camera, microphone and speaker
check-intro = Check them before a call. What you choose here is what your calls use on this browser.
check-failed = That device cannot be started ({ $error }).
pip-open = Picture in picture
pip-close = Back to the page
