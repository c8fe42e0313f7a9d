/**
 * A destructive button that asks before acting: the first press shows the question with
 * "confirm" and "Cancel" buttons, and only the confirm button acts. Focus moves to Cancel
 * (the safe choice) and back to the trigger when the question is dismissed.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Alert } from '@/components/alert';

type ConfirmActionProps = {
  /** Visible label of the first button, e.g. "Delete". */
  label: string;
  /** The question, e.g. "Delete “Groceries”? This cannot be undone." */
  question: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  onConfirm: () => void;
  isPending: boolean;
  error?: string | undefined;
  /** Id of the element that says what the button acts on (its accessible description). */
  describedBy?: string | undefined;
};

export function ConfirmAction({
  label,
  question,
  confirmLabel,
  pendingLabel,
  onConfirm,
  isPending,
  error,
  describedBy,
}: ConfirmActionProps) {
  const [asking, setAsking] = useState(false);
  const questionId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) triggerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button
        ref={triggerRef}
        type="button"
        className="button button-danger"
        aria-describedby={describedBy}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }

  return (
    // biome-ignore lint/a11y/useSemanticElements: an inline question, not a <fieldset> of inputs
    <div className="confirm" role="group" aria-labelledby={questionId}>
      <p id={questionId}>{question}</p>
      {error && <Alert tone="error">{error}</Alert>}
      <div className="actions">
        <button
          type="button"
          className="button button-danger"
          disabled={isPending}
          onClick={onConfirm}
        >
          {isPending ? pendingLabel : confirmLabel}
        </button>
        <button
          ref={cancelRef}
          type="button"
          className="button"
          disabled={isPending}
          onClick={() => setAsking(false)}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
