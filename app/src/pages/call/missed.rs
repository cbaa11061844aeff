//! A call page whose call went unanswered (issue 23): the caller may leave a message and, when
//! the other person was busy, on do-not-disturb or offline, ask to be told when they are free.
//! Kept apart from the rest of the page: the offers come from [`crate::voicemail`] and the
//! components from [`crate::components::voicemail`].

use leptos::prelude::*;

use super::controller::CallView;
use crate::components::voicemail::{LeaveMessage, TellMeWhenFree};
use crate::voicemail::{offers_availability, offers_message};

#[component]
pub(super) fn Unanswered(view: CallView) -> impl IntoView {
    // Keyed on what is offered, so that a newer copy of the call does not reset the recorder.
    let offer = Memo::new(move |_| {
        let me = view.me.get()?;
        view.call.with(|call| {
            call.as_ref()
                .filter(|call| offers_message(call, me))
                .map(|call| (call.id, offers_availability(call, me)))
        })
    });
    move || {
        let (_, tell) = offer.get()?;
        let call = view.call.get_untracked()?;
        let receiver = call.receiver.clone();
        Some(view! {
            <div class="vm-offers">
                {tell.then(|| view! { <TellMeWhenFree user=receiver /> })}
                <LeaveMessage call=call />
            </div>
        })
    }
}
